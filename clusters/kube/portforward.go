package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// forwarder reaches ports inside pods through the API server's portforward subresource, as
// kubectl port-forward does — one SPDY connection per pod, a pair of streams (error, data) per
// TCP connection — so that a port bound to 127.0.0.1 inside a pod (an admin API) is reachable
// from the host without ever being exposed on the pod's address.
type forwarder struct {
	cfg    *rest.Config
	client kubernetes.Interface

	mu    sync.Mutex
	conns map[string]httpstream.Connection // namespace/pod → its SPDY connection
	next  atomic.Int64                     // request IDs
}

func newForwarder(cfg *rest.Config, client kubernetes.Interface) *forwarder {
	return &forwarder{cfg: cfg, client: client, conns: map[string]httpstream.Connection{}}
}

// Dial opens a connection to port inside the pod.
func (f *forwarder) Dial(ctx context.Context, namespace, pod string, port int) (net.Conn, error) {
	sc, err := f.conn(ctx, namespace, pod)
	if err != nil {
		return nil, err
	}
	id := strconv.FormatInt(f.next.Add(1), 10)
	h := http.Header{}
	h.Set(corev1.StreamType, corev1.StreamTypeError)
	h.Set(corev1.PortHeader, strconv.Itoa(port))
	h.Set(corev1.PortForwardRequestIDHeader, id)
	errStream, err := sc.CreateStream(h)
	if err != nil {
		f.drop(namespace, pod, sc)
		return nil, fmt.Errorf("port-forward to %s/%s:%d: %w", namespace, pod, port, err)
	}
	errStream.Close() // the client writes nothing on it
	h.Set(corev1.StreamType, corev1.StreamTypeData)
	data, err := sc.CreateStream(h)
	if err != nil {
		errStream.Reset()
		f.drop(namespace, pod, sc)
		return nil, fmt.Errorf("port-forward to %s/%s:%d: %w", namespace, pod, port, err)
	}
	c := &streamConn{sc: sc, data: data, errStream: errStream, addr: podAddr(namespace + "/" + pod + ":" + strconv.Itoa(port)),
		errc: make(chan error, 1)}
	go c.readError()
	return c, nil
}

// conn returns the pod's SPDY connection, dialling it when there is none or it closed.
func (f *forwarder) conn(ctx context.Context, namespace, pod string) (httpstream.Connection, error) {
	key := namespace + "/" + pod
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.conns[key]; ok {
		select {
		case <-c.CloseChan():
			delete(f.conns, key)
		default:
			return c, nil
		}
	}
	rt, upgrader, err := spdy.RoundTripperFor(f.cfg)
	if err != nil {
		return nil, err
	}
	u := f.client.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("portforward").URL()
	d := spdy.NewDialer(upgrader, &http.Client{Transport: rt, Timeout: 30 * time.Second}, http.MethodPost, u)
	type dialed struct {
		c   httpstream.Connection
		err error
	}
	ch := make(chan dialed, 1)
	go func() {
		c, proto, err := d.Dial(portforward.PortForwardProtocolV1Name)
		if err == nil && proto != portforward.PortForwardProtocolV1Name {
			c.Close()
			err = fmt.Errorf("the API server speaks port-forward protocol %q", proto)
		}
		ch <- dialed{c, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("port-forward to %s: %w", key, r.err)
		}
		f.conns[key] = r.c
		return r.c, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// drop forgets a pod's connection that failed.
func (f *forwarder) drop(namespace, pod string, c httpstream.Connection) {
	key := namespace + "/" + pod
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns[key] == c {
		delete(f.conns, key)
		c.Close()
	}
}

// Close closes every pod connection.
func (f *forwarder) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, c := range f.conns {
		c.Close()
		delete(f.conns, k)
	}
}

// streamConn is one forwarded TCP connection: the data stream, with the error stream's message
// (the kubelet's, e.g. nothing listens on the port) as the error of a read that found EOF.
type streamConn struct {
	sc        httpstream.Connection
	data      httpstream.Stream
	errStream httpstream.Stream
	addr      podAddr
	errc      chan error
	once      sync.Once
}

func (c *streamConn) readError() {
	msg, err := io.ReadAll(c.errStream)
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		c.errc <- err
	case len(msg) > 0:
		c.errc <- fmt.Errorf("port-forward to %s: %s", c.addr, msg)
	default:
		c.errc <- nil
	}
}

func (c *streamConn) Read(p []byte) (int, error) {
	n, err := c.data.Read(p)
	if errors.Is(err, io.EOF) {
		select {
		case ferr := <-c.errc:
			if ferr != nil {
				c.errc <- ferr
				return n, ferr
			}
			c.errc <- nil
		default:
		}
	}
	return n, err
}

func (c *streamConn) Write(p []byte) (int, error) { return c.data.Write(p) }

func (c *streamConn) Close() error {
	c.once.Do(func() {
		c.data.Reset()
		c.errStream.Reset()
		c.sc.RemoveStreams(c.data, c.errStream)
	})
	return nil
}

func (c *streamConn) LocalAddr() net.Addr              { return c.addr }
func (c *streamConn) RemoteAddr() net.Addr             { return c.addr }
func (c *streamConn) SetDeadline(time.Time) error      { return nil }
func (c *streamConn) SetReadDeadline(time.Time) error  { return nil }
func (c *streamConn) SetWriteDeadline(time.Time) error { return nil }

// podAddr names a forwarded port as a net.Addr.
type podAddr string

func (a podAddr) Network() string { return "portforward" }
func (a podAddr) String() string  { return string(a) }

var _ net.Conn = (*streamConn)(nil)
