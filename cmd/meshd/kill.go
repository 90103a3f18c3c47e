package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/meshlab/meshlab/mesh/adminapi"
)

// withKill serves POST /v1/kill in front of next: {"role": "service"|"sidecar"} SIGKILLs the
// meshd process of that role and of the same instance (--instance) — the pod's other container,
// visible in a pod's shared process namespace — as a PodChaos container-kill does through the
// container runtime where none is reachable. It answers the pids it killed.
func withKill(instance string, next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", next)
	mux.Handle("POST "+adminapi.Kill, adminapi.RequireToken(token(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Role string `json:"role"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&body); err != nil || (body.Role != "service" && body.Role != "sidecar") {
			http.Error(w, `{"error":"want {\"role\":\"service\"} or {\"role\":\"sidecar\"}"}`, http.StatusBadRequest)
			return
		}
		pids, err := processesOf(body.Role, instance)
		if err == nil && len(pids) == 0 {
			err = fmt.Errorf("no %s process of instance %s is visible here (does the pod share its process namespace?)", body.Role, instance)
		}
		if err != nil {
			http.Error(w, fmt.Sprintf(`{"error":%q}`, err.Error()), http.StatusNotFound)
			return
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		writeJSON(w, http.StatusOK, map[string][]int{"killed": pids})
	})))
	return mux
}

// processesOf lists the pids of the meshd processes of role and instance, this one excluded.
func processesOf(role, instance string) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if isMeshd(bytes.Split(bytes.TrimRight(raw, "\x00"), []byte{0}), role, instance) {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// isMeshd reports whether argv is meshd's of role with --instance instance.
func isMeshd(argv [][]byte, role, instance string) bool {
	if len(argv) < 2 || filepath.Base(string(argv[0])) != "meshd" || string(argv[1]) != role {
		return false
	}
	for i, a := range argv {
		if string(a) == "--instance="+instance || string(a) == "--instance" && i+1 < len(argv) && string(argv[i+1]) == instance {
			return true
		}
	}
	return false
}
