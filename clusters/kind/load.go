package kind

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
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
