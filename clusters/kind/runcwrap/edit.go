package runcwrap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// CapSysResource is the capability the host lacks.
const CapSysResource = "CAP_SYS_RESOURCE"

// Limits describes what the wrapper's own process may do without CAP_SYS_RESOURCE: a spec asking
// for more is edited down to it.
type Limits struct {
	// HasSysResource reports whether CAP_SYS_RESOURCE is in the bounding set; when true, Edit
	// changes nothing.
	HasSysResource bool
	// OOMScoreAdj is the current process's oom_score_adj; a lower one in the spec is dropped.
	OOMScoreAdj int
	// HardLimits maps an rlimit name (RLIMIT_NOFILE) to the current hard limit; an rlimit whose
	// hard or soft value exceeds it is lowered to it (raising a hard limit needs the capability).
	// A name missing here is kept as it is.
	HardLimits map[string]uint64
}

// Changes lists what Edit removed, for the log.
type Changes []string

// EditSpec edits a bundle's config.json (a whole runtime spec) and returns the new bytes and
// what changed. Unknown fields are kept.
func EditSpec(spec []byte, l Limits) ([]byte, Changes, error) {
	return edit(spec, l, func(doc map[string]any) map[string]any {
		p, _ := doc["process"].(map[string]any)
		return p
	})
}

// EditProcess edits the process JSON that `runc exec --process FILE` reads.
func EditProcess(proc []byte, l Limits) ([]byte, Changes, error) {
	return edit(proc, l, func(doc map[string]any) map[string]any { return doc })
}

func edit(data []byte, l Limits, process func(map[string]any) map[string]any) ([]byte, Changes, error) {
	if l.HasSysResource {
		return data, nil, nil
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // rlimits reach 2^64-1, which a float64 cannot hold
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("decoding spec: %w", err)
	}
	p := process(doc)
	if p == nil {
		return data, nil, nil
	}
	var ch Changes
	ch = append(ch, dropCapability(p)...)
	ch = append(ch, dropOOMScoreAdj(p, l.OOMScoreAdj)...)
	ch = append(ch, clampRlimits(p, l.HardLimits)...)
	if len(ch) == 0 {
		return data, nil, nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding spec: %w", err)
	}
	return out, ch, nil
}

// dropCapability removes CAP_SYS_RESOURCE from every capability set of the process.
func dropCapability(p map[string]any) Changes {
	caps, _ := p["capabilities"].(map[string]any)
	var ch Changes
	for _, set := range []string{"bounding", "effective", "inheritable", "permitted", "ambient"} {
		list, _ := caps[set].([]any)
		kept := list[:0:0]
		for _, c := range list {
			if c == CapSysResource {
				continue
			}
			kept = append(kept, c)
		}
		if len(kept) != len(list) {
			caps[set] = kept
			ch = append(ch, "capabilities."+set+" -"+CapSysResource)
		}
	}
	return ch
}

// dropOOMScoreAdj removes an oomScoreAdj lower than the current one (lowering needs the
// capability; raising does not).
func dropOOMScoreAdj(p map[string]any, current int) Changes {
	n, ok := p["oomScoreAdj"].(json.Number)
	if !ok {
		return nil
	}
	v, err := strconv.Atoi(n.String())
	if err != nil || v >= current {
		return nil
	}
	delete(p, "oomScoreAdj")
	return Changes{fmt.Sprintf("oomScoreAdj %d (below %d)", v, current)}
}

// clampRlimits lowers each rlimit that asks for more than the current hard limit to that limit.
func clampRlimits(p map[string]any, hard map[string]uint64) Changes {
	list, _ := p["rlimits"].([]any)
	var ch Changes
	for _, r := range list {
		m, _ := r.(map[string]any)
		name, _ := m["type"].(string)
		max, known := hard[name]
		if !known {
			continue
		}
		for _, k := range []string{"hard", "soft"} {
			n, _ := m[k].(json.Number)
			v, err := strconv.ParseUint(n.String(), 10, 64)
			if err == nil && v > max {
				m[k] = json.Number(strconv.FormatUint(max, 10))
				ch = append(ch, fmt.Sprintf("rlimit %s %s %d -> %d", name, k, v, max))
			}
		}
	}
	return ch
}
