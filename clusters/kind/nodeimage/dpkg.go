package nodeimage

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// debPackage is one installed package of a rootfs's /var/lib/dpkg/status.
type debPackage struct {
	Name, Version, Arch string
	Depends             [][]string // groups of alternatives, names only
	Provides            []string
}

// dpkgStatus is what a rootfs has installed, by name.
type dpkgStatus map[string]debPackage

// parseDpkgStatus reads the installed packages of a dpkg status file.
func parseDpkgStatus(r io.Reader) (dpkgStatus, error) {
	st := dpkgStatus{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	fields := map[string]string{}
	last := ""
	flush := func() {
		if strings.HasSuffix(fields["Status"], " installed") && fields["Package"] != "" {
			p := debPackage{Name: fields["Package"], Version: fields["Version"], Arch: fields["Architecture"],
				Provides: names(fields["Provides"])}
			for _, g := range strings.Split(fields["Pre-Depends"]+","+fields["Depends"], ",") {
				if alts := names(strings.ReplaceAll(g, "|", ",")); len(alts) > 0 {
					p.Depends = append(p.Depends, alts)
				}
			}
			st[p.Name] = p
		}
		clear(fields)
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t"):
			fields[last] += "\n" + line
		default:
			k, v, ok := strings.Cut(line, ":")
			if ok {
				last = k
				fields[k] = strings.TrimSpace(v)
			}
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading dpkg status: %w", err)
	}
	return st, nil
}

// names turns "libc6 (>= 2.34), libfoo:any" into [libc6 libfoo].
func names(list string) []string {
	var out []string
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if i := strings.IndexAny(item, " ("); i >= 0 {
			item = item[:i]
		}
		item, _, _ = strings.Cut(item, ":")
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

// closure returns roots and everything they depend on, sorted; a dependency group is met by
// its first alternative that is installed or provided.
func (st dpkgStatus) closure(roots ...string) ([]string, error) {
	providers := map[string]string{}
	for _, p := range st {
		for _, v := range p.Provides {
			providers[v] = p.Name
		}
	}
	seen := map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		if seen[name] {
			return nil
		}
		if _, ok := st[name]; !ok {
			return fmt.Errorf("package %s is not installed", name)
		}
		seen[name] = true
		for _, group := range st[name].Depends {
			if err := visit(st.pick(group, providers)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	}
	for _, r := range roots {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

func (st dpkgStatus) pick(group []string, providers map[string]string) string {
	for _, n := range group {
		if _, ok := st[n]; ok {
			return n
		}
		if p, ok := providers[n]; ok {
			return p
		}
	}
	return group[0]
}

// packageFiles lists the regular files and symlinks a package installed into rootfs (from
// /var/lib/dpkg/info/NAME[:ARCH].list), as absolute in-image paths.
func packageFiles(rootfs string, p debPackage) ([]string, error) {
	info := filepath.Join(rootfs, "var/lib/dpkg/info")
	raw, err := os.ReadFile(filepath.Join(info, p.Name+".list"))
	if os.IsNotExist(err) {
		raw, err = os.ReadFile(filepath.Join(info, p.Name+":"+p.Arch+".list"))
	}
	if err != nil {
		return nil, fmt.Errorf("reading file list of %s: %w", p.Name, err)
	}
	var files []string
	for _, f := range strings.Split(string(raw), "\n") {
		if f == "" || f == "/." {
			continue
		}
		st, err := os.Lstat(filepath.Join(rootfs, f))
		if err != nil || st.IsDir() {
			continue // directories come with their files; diverted or removed files are gone
		}
		files = append(files, f)
	}
	return files, nil
}
