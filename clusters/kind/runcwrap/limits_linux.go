package runcwrap

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// capSysResourceBit is CAP_SYS_RESOURCE's number.
const capSysResourceBit = 24

// rlimitNames are runc's names for the resources, by number.
var rlimitNames = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_STACK": unix.RLIMIT_STACK, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE,
	"RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}

// Current reads the calling process's limits: its capability bounding set, oom_score_adj and
// hard rlimits.
func Current() (Limits, error) {
	has, err := boundingHas(capSysResourceBit)
	if err != nil {
		return Limits{}, err
	}
	l := Limits{HasSysResource: has, HardLimits: map[string]uint64{}}
	raw, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return Limits{}, fmt.Errorf("reading oom_score_adj: %w", err)
	}
	if l.OOMScoreAdj, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
		return Limits{}, fmt.Errorf("parsing oom_score_adj: %w", err)
	}
	for name, res := range rlimitNames {
		var r unix.Rlimit
		if err := unix.Getrlimit(res, &r); err == nil {
			l.HardLimits[name] = r.Max
		}
	}
	return l, nil
}

// boundingHas reports whether capability bit is in the process's bounding set (CapBnd).
func boundingHas(bit uint) (bool, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return false, fmt.Errorf("reading capabilities: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapBnd:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				return false, fmt.Errorf("parsing CapBnd: %w", err)
			}
			return mask&(1<<bit) != 0, nil
		}
	}
	return false, fmt.Errorf("no CapBnd in /proc/self/status")
}
