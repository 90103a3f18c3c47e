package ociimage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// File is one entry of a layer: a file read from Source, or Data, or a symlink to Link.
type File struct {
	Path   string // absolute path in the image
	Mode   int64  // permission bits; 0 means 0644 (0755 for a Source that is executable)
	Source string // host file to copy
	Data   []byte // contents when Source is empty
	Link   string // symlink target; when set the entry is a symlink
}

// epoch is every entry's timestamp, so the same files give the same digest.
var epoch = time.Unix(0, 0).UTC()

// Layer builds one reproducible layer of files; parent directories are added (0755). The tar is
// kept in memory when dir is empty, else written to a file in dir (which the caller removes
// with dir) and read from there.
func Layer(files []File, dir string) (v1.Layer, error) {
	if dir == "" {
		var buf bytes.Buffer
		if err := WriteTar(&buf, files); err != nil {
			return nil, err
		}
		data := buf.Bytes()
		return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
			tarball.WithCompressionLevel(gzip.BestSpeed))
	}
	f, err := os.CreateTemp(dir, "layer-*.tar")
	if err != nil {
		return nil, fmt.Errorf("creating layer: %w", err)
	}
	defer f.Close()
	if err := WriteTar(f, files); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	name := f.Name()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(name) },
		tarball.WithCompressionLevel(gzip.BestSpeed))
}

// WriteTar writes files as one tar stream, as Layer does (sorted, parents added, owned by root,
// timestamps zero): also what `docker cp - CONTAINER:/` reads.
func WriteTar(w io.Writer, files []File) error {
	sorted := append([]File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })
	tw := tar.NewWriter(w)
	dirs := map[string]bool{}
	for _, f := range sorted {
		if !path.IsAbs(f.Path) || path.Clean(f.Path) != f.Path || f.Path == "/" {
			return fmt.Errorf("layer path %q must be absolute and clean", f.Path)
		}
		if err := writeParents(tw, dirs, path.Dir(f.Path)); err != nil {
			return err
		}
		if err := writeEntry(tw, f); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("writing layer: %w", err)
	}
	return nil
}

func writeParents(tw *tar.Writer, done map[string]bool, dir string) error {
	if dir == "/" || done[dir] {
		return nil
	}
	if err := writeParents(tw, done, path.Dir(dir)); err != nil {
		return err
	}
	done[dir] = true
	return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(dir, "/") + "/",
		Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX})
}

func writeEntry(tw *tar.Writer, f File) error {
	name := strings.TrimPrefix(f.Path, "/")
	h := &tar.Header{Name: name, ModTime: epoch, Format: tar.FormatPAX, Mode: f.Mode}
	if f.Link != "" {
		h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.Link, 0o777
		return tw.WriteHeader(h)
	}
	h.Typeflag = tar.TypeReg
	var body io.Reader
	if f.Source != "" {
		src, err := os.Open(f.Source)
		if err != nil {
			return fmt.Errorf("adding %s: %w", f.Path, err)
		}
		defer src.Close()
		st, err := src.Stat()
		if err != nil {
			return fmt.Errorf("adding %s: %w", f.Path, err)
		}
		h.Size, body = st.Size(), src
		if h.Mode == 0 && st.Mode()&0o111 != 0 {
			h.Mode = 0o755
		}
	} else {
		h.Size, body = int64(len(f.Data)), strings.NewReader(string(f.Data))
	}
	if h.Mode == 0 {
		h.Mode = 0o644
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("adding %s: %w", f.Path, err)
	}
	if _, err := io.Copy(tw, body); err != nil {
		return fmt.Errorf("adding %s: %w", f.Path, err)
	}
	return nil
}
