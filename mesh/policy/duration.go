package policy

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration is a time.Duration written as a Go duration string ("250ms") in JSON and YAML.
type Duration struct{ time.Duration }

// MarshalText writes the duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// UnmarshalText parses a duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("want a duration like \"250ms\", got %q", b)
	}
	d.Duration = v
	return nil
}

// UnmarshalJSON accepts only a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration like \"250ms\", got %s", b)
	}
	return d.UnmarshalText([]byte(s))
}

// IsZero reports a zero duration (for omitzero).
func (d Duration) IsZero() bool { return d.Duration == 0 }
