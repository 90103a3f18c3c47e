package stress

import (
	"errors"
	"fmt"
)

// DefaultLoad is the CPU load, in percent of one CPU per worker, when CPU.Load is absent.
const DefaultLoad = 100

// SliceDuration is the period of a CPU worker's busy/idle cycle (stress-ng --cpu-load-slice 10).
const SliceDuration = 10_000_000 // nanoseconds

// MaxWorkers bounds each stressor's workers: CPU workers each hold an OS thread, and a Go
// process dies past 10,000 threads.
const MaxWorkers = 1024

// ErrInvalidSpec is wrapped by every validation error Apply returns.
var ErrInvalidSpec = errors.New("invalid stress spec")

// Spec is what a StressChaos's stressors ask for. A nil part runs nothing.
type Spec struct {
	CPU    *CPU    `json:"cpu,omitempty"`
	Memory *Memory `json:"memory,omitempty"`
}

// CPU asks for Workers goroutines each burning Load percent of one CPU.
type CPU struct {
	// Workers is how many workers run; 0 means no CPU stress.
	Workers int `json:"workers"`
	// Load is the percent (0…100) of one CPU each worker burns; nil means DefaultLoad, 0 idles.
	Load *int `json:"load,omitempty"`
}

// Memory asks for Size bytes in total, split evenly over Workers workers.
type Memory struct {
	// Workers is how many workers share Size; 0 means no memory stress.
	Workers int `json:"workers"`
	// Size is the total across workers in ParseSize units ("256MiB", "1GB", "10%");
	// empty allocates nothing.
	Size string `json:"size,omitempty"`
}

// LoadPercent is c.Load with its default applied.
func (c CPU) LoadPercent() int {
	if c.Load == nil {
		return DefaultLoad
	}
	return *c.Load
}

// Validate reports every problem in s at once, each wrapped in ErrInvalidSpec.
func (s Spec) Validate() error {
	_, err := s.resolve(ParseSize, memTotal)
	return err
}

// plan is a validated Spec in the units the workers use.
type plan struct {
	cpuWorkers, load int
	memWorkers       int
	perWorker        int64
}

func (s Spec) resolve(parse func(string) (int64, error), total func() (int64, error)) (plan, error) {
	var p plan
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidSpec}, args...)...))
	}
	if c := s.CPU; c != nil {
		p.cpuWorkers, p.load = c.Workers, c.LoadPercent()
		checkWorkers(bad, "cpu", c.Workers)
		if p.load < 0 || p.load > 100 {
			bad("cpu.load: %d is outside 0…100", p.load)
		}
	}
	if m := s.Memory; m != nil {
		p.memWorkers = m.Workers
		checkWorkers(bad, "memory", m.Workers)
		size, err := parseOrZero(m.Size, parse)
		if err != nil {
			bad("memory.size: %s", err.Error())
		} else if err := fitsMachine(size, total); err != nil {
			bad("memory.size: %s", err.Error())
		} else if m.Workers > 0 {
			p.perWorker = size / int64(m.Workers)
		}
	}
	return p, errors.Join(errs...)
}

func checkWorkers(bad func(string, ...any), stressor string, n int) {
	if n < 0 || n > MaxWorkers {
		bad("%s.workers: %d is outside 0…%d", stressor, n, MaxWorkers)
	}
}

func parseOrZero(s string, parse func(string) (int64, error)) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return parse(s)
}

// fitsMachine refuses sizes above the machine's memory: in a container the stressor would be
// OOM-killed and respawned, here it would take the service down with it.
func fitsMachine(size int64, total func() (int64, error)) error {
	if size == 0 {
		return nil
	}
	t, err := total()
	if err != nil {
		return err
	}
	if size > t {
		return fmt.Errorf("%d bytes exceed the machine's %d", size, t)
	}
	return nil
}

// active reports whether p runs any worker.
func (p plan) active() bool { return p.cpuWorkers > 0 || p.memWorkers > 0 }
