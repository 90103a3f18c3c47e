package tracectx

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStartAndChild(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	Start(h)
	first := h.Get(Header)
	assert.True(t, Valid(first), first)
	Start(h)
	assert.Equal(t, first, h.Get(Header), "a valid traceparent is kept")
	Child(h)
	child := h.Get(Header)
	assert.True(t, Valid(child), child)
	assert.Equal(t, first[:36], child[:36], "same version and trace id")
	assert.NotEqual(t, first[36:52], child[36:52], "a new parent id")
	assert.Equal(t, first[52:], child[52:], "same flags")
}

func TestValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true},
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", false},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false},
		{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false},
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false},
		{"garbage", false},
	} {
		assert.Equal(t, tc.want, Valid(tc.in), tc.in)
	}
	h := http.Header{Header: {"garbage"}}
	Child(h)
	assert.Equal(t, "garbage", h.Get(Header), "a malformed traceparent is left alone")
}
