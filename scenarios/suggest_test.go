package scenarios

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"rate", "rate", 0},
		{"ratee", "rate", 1},
		{"medain", "median", 2},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"straße", "strasse", 2}, // runes, not bytes
	}
	for _, tt := range tests {
		t.Run(tt.a+"→"+tt.b, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, editDistance(tt.a, tt.b))
			assert.Equal(t, tt.want, editDistance(tt.b, tt.a))
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	fields := fieldsOf(reflect.TypeFor[Load]()).names
	tests := []struct {
		name, got, want string
		known           []string
	}{
		{"one edit", "ratee", "rate", fields},
		{"two edits", "profil", "profile", fields},
		{"case only", "Timeout", "timeout", fields},
		{"too far", "jitter", "", fields},
		{"short names get one edit", "id", "", fields},
		{"short name one edit away", "tp", "to", fields},
		{"services", "paymnet", "payment", Services},
		{"routes", "GET /user/{id}", "GET /users/{id}", Routes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, suggest(tt.got, tt.known))
		})
	}
}
