package stress

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// ErrBadSize is wrapped by ParseSize's errors.
var ErrBadSize = errors.New("bad size")

// units maps a lower-cased suffix to its multiplier: KB/MB/GB/TB are powers of 1000,
// KiB/MiB/GiB/TiB powers of 1024, B or nothing is bytes.
var units = map[string]float64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseSize reads a Chaos Mesh memory size: a number with an optional unit (B, KB, MB, GB, TB
// in powers of 1000; KiB, MiB, GiB, TiB in powers of 1024; case-insensitive), or "N%" of the
// machine's total memory (MemTotal in /proc/meminfo, not the container limit).
func ParseSize(s string) (int64, error) {
	return parseSize(s, memTotal)
}

func parseSize(s string, total func() (int64, error)) (int64, error) {
	t := strings.TrimSpace(s)
	if pct, ok := strings.CutSuffix(t, "%"); ok {
		return parsePercent(s, pct, total)
	}
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("%w %q: unknown unit %q", ErrBadSize, s, t[i:])
	}
	return scale(s, num, mult)
}

func parsePercent(s, pct string, total func() (int64, error)) (int64, error) {
	n, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
	if err != nil || n < 0 || n > 100 || math.IsNaN(n) {
		return 0, fmt.Errorf("%w %q: want a percent in 0…100", ErrBadSize, s)
	}
	t, err := total()
	if err != nil {
		return 0, fmt.Errorf("%w %q: %w", ErrBadSize, s, err)
	}
	return int64(float64(t) * n / 100), nil
}

func scale(s, num string, mult float64) (int64, error) {
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w %q: want a number and a unit like 256MiB", ErrBadSize, s)
	}
	v := n * mult
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("%w %q: too large", ErrBadSize, s)
	}
	return int64(v), nil
}

// memTotal reads MemTotal from /proc/meminfo, in bytes.
func memTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, fmt.Errorf("reading machine memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			return kibField(rest)
		}
	}
	return 0, errors.New("reading machine memory: no MemTotal in /proc/meminfo")
}

// kibField parses a /proc "   123456 kB" value into bytes.
func kibField(s string) (int64, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, fmt.Errorf("empty /proc value %q", s)
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc value %q: %w", s, err)
	}
	return n << 10, nil
}
