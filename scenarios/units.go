package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ParseDuration reads a Go duration string ("250ms", "1m30s"); "0" is zero.
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return Duration{}, fmt.Errorf("want a duration like \"250ms\", got %q", s)
	}
	return Duration{Duration: d}, nil
}

// UnmarshalYAML reads a duration string; a bare number other than 0 is an error, as it has
// no unit.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.ShortTag() == "!!int" && n.Value == "0") {
		if v, err := time.ParseDuration(n.Value); err == nil {
			d.Duration = v
			return nil
		}
	}
	return fmt.Errorf("want a duration like \"250ms\", got %s", describe(n))
}

// MarshalYAML writes the duration as a string ("1m30s").
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes the duration as a string ("1m30s").
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string; null leaves d as it is.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration like \"250ms\", got %s", b)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParsePercent reads "99.9%" (the sign is required in a string).
func ParsePercent(s string) (Percent, error) {
	num, ok := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Percent{}, fmt.Errorf("want a percentage like \"99.9%%\", got %q", s)
	}
	return Percent{Value: v}, nil
}

// String writes the percentage as "99.9%".
func (p Percent) String() string { return formatNumber(p.Value) + "%" }

// UnmarshalYAML reads "99.9%" or a number (99.9).
func (p *Percent) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!str":
			if v, err := ParsePercent(n.Value); err == nil {
				*p = v
				return nil
			}
		case "!!int", "!!float":
			var v float64
			if err := n.Decode(&v); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				p.Value = v
				return nil
			}
		}
	}
	return fmt.Errorf("want a percentage like \"99.9%%\" or a number, got %s", describe(n))
}

// MarshalYAML writes the percentage as a string ("99.9%").
func (p Percent) MarshalYAML() (any, error) { return p.String(), nil }

// MarshalJSON writes the percentage as a string ("99.9%").
func (p Percent) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads "99.9%" or a number (99.9); null leaves p as it is.
func (p *Percent) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err == nil {
		p.Value = v
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a percentage like \"99.9%%\" or a number, got %s", b)
	}
	v2, err := ParsePercent(s)
	if err != nil {
		return err
	}
	*p = v2
	return nil
}

// formatNumber writes a float the shortest way that reads back exactly, without exponent.
func formatNumber(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

var (
	_ yaml.Unmarshaler = (*Duration)(nil)
	_ yaml.Marshaler   = Duration{}
	_ json.Unmarshaler = (*Duration)(nil)
	_ json.Marshaler   = Duration{}
	_ yaml.Unmarshaler = (*Percent)(nil)
	_ yaml.Marshaler   = Percent{}
	_ json.Unmarshaler = (*Percent)(nil)
	_ json.Marshaler   = Percent{}
	_ fmt.Stringer     = Percent{}
)
