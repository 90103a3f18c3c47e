package kind

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

// LoadArchive imports an image archive (ociimage.WriteArchive, docker save) into the
// containerd of every node of the cluster, as `kind load image-archive` does; nodes load in
// parallel.
func (c *Cluster) LoadArchive(ctx context.Context, archive string) error {
	if _, err := os.Stat(archive); err != nil {
		return fmt.Errorf("image archive: %w", err)
	}
	list, err := c.Nodes()
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	for _, n := range list {
		g.Go(func() error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			f, err := os.Open(archive)
			if err != nil {
				return fmt.Errorf("image archive: %w", err)
			}
			defer f.Close()
			if err := nodeutils.LoadImageArchive(n, f); err != nil {
				return fmt.Errorf("loading %s into %s: %w", archive, n.String(), err)
			}
			return nil
		})
	}
	return g.Wait()
}

// Nodes returns the cluster's node containers (control plane and workers).
func (c *Cluster) Nodes() ([]nodes.Node, error) {
	list, err := c.kindProvider().ListInternalNodes(c.Name)
	if err != nil {
		return nil, fmt.Errorf("listing nodes of %q: %w", c.Name, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("kind cluster %q has no nodes", c.Name)
	}
	return list, nil
}

// LoadImage writes img tagged ref to a temporary archive and loads it into every node; pods
// then name ref with imagePullPolicy IfNotPresent (or Never) and nothing is pulled.
func (c *Cluster) LoadImage(ctx context.Context, ref string, img v1.Image) error {
	dir, err := os.MkdirTemp("", "meshlab-image-")
	if err != nil {
		return fmt.Errorf("image archive: %w", err)
	}
	defer os.RemoveAll(dir)
	archive := filepath.Join(dir, "image.tar")
	if err := ociimage.WriteArchive(archive, ref, img); err != nil {
		return err
	}
	return c.LoadArchive(ctx, archive)
}
