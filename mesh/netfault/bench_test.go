package netfault

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/meshlab/meshlab/internal/meshtest"
	"github.com/stretchr/testify/require"
)

// BenchmarkWrap compares an echo round trip of 1 KiB on a direct connection and on one wrapped
// by an engine without rules.
func BenchmarkWrap(b *testing.B) {
	for _, wrapped := range []bool{false, true} {
		name := "direct"
		if wrapped {
			name = "wrapped"
		}
		b.Run(name, func(b *testing.B) {
			e := newTestEngine()
			ln := meshtest.Listen(b, "127.0.0.1:0")
			if wrapped {
				ln = e.Listener(ln)
			}
			meshtest.ServeConns(b, ln, func(c net.Conn) { _, _ = io.Copy(c, c) })
			var d net.Dialer
			dial := DialFunc(d.DialContext)
			if wrapped {
				dial = e.DialContext(dial)
			}
			c, err := dial(context.Background(), "tcp", ln.Addr().String())
			require.NoError(b, err)
			defer c.Close()
			buf := make([]byte, 1024)
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				_, _ = c.Write(buf)
				_, _ = io.ReadFull(c, buf)
			}
		})
	}
}
