package local

import (
	"net"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPortBook(t *testing.T) {
	t.Parallel()
	b := newPortBook()
	seen := map[int]bool{}
	for range 50 {
		p, err := b.reserve("127.0.0.1")
		require.NoError(t, err)
		assert.False(t, seen[p], "never the same port twice on one address")
		seen[p] = true
		assert.GreaterOrEqual(t, p, minFixedPort)
		assert.Less(t, p, ephemeralLow(), "below the ephemeral range: no outgoing connection takes it")
	}

	// A port a listener holds is not handed out.
	p, err := b.reserve("127.0.0.1")
	require.NoError(t, err)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	require.NoError(t, err)
	defer ln.Close()
	only := &portBook{taken: map[string]bool{}, low: p, high: p + 1}
	_, err = only.reserve("127.0.0.1")
	assert.ErrorContains(t, err, "no free port on 127.0.0.1")
	_, err = only.reserve("127.0.0.2")
	assert.NoError(t, err, "another address: free")
}
