package proc

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// Environment variables a backend sets for each meshd process.
const (
	EnvReadyFD = "MESHD_READY_FD"
	EnvToken   = "MESHD_TOKEN"
)

// Ready is the message a meshd process writes once all its listeners are bound and serving.
type Ready struct {
	Role  string            `json:"role"`
	PID   int               `json:"pid"`
	Addrs map[string]string `json:"addrs"` // listener name → host:port ("http", "inbound", "outbound", "admin")
}

// SignalReady writes r (PID filled in) as one JSON line to the descriptor named by MESHD_READY_FD
// and closes it. Without the variable it does nothing, so meshd also runs by hand.
func SignalReady(r Ready) error {
	v := os.Getenv(EnvReadyFD)
	if v == "" {
		return nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", EnvReadyFD, v, err)
	}
	f := os.NewFile(uintptr(fd), "ready")
	if f == nil {
		return fmt.Errorf("%s=%d: not a descriptor", EnvReadyFD, fd)
	}
	defer f.Close()
	r.PID = os.Getpid()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing ready line: %w", err)
	}
	return nil
}

// ParseReady decodes a ready line as a backend reads it.
func ParseReady(line []byte) (Ready, error) {
	var r Ready
	if err := json.Unmarshal(line, &r); err != nil {
		return r, fmt.Errorf("bad ready line %q: %w", line, err)
	}
	if r.Role == "" || len(r.Addrs) == 0 {
		return r, fmt.Errorf("bad ready line %q: missing role or addrs", line)
	}
	return r, nil
}
