package netfault

import (
	"context"
	"io"
	"net"
	"testing"

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
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(b, err)
			defer ln.Close()
			if wrapped {
				ln = e.Listener(ln)
			}
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
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
