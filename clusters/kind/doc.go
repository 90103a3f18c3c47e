// Package kind creates and deletes kind clusters through kind's Go API
// (sigs.k8s.io/kind/pkg/cluster, never a kind binary) on the offline node image that
// clusters/kind/nodeimage builds, and loads image archives into their nodes as
// `kind load image-archive` does.
//
//	img, _ := nodeimage.Build(ctx, nodeimage.Options{})
//	c, err := kind.Up(ctx, kind.Options{Image: img.Image, Config: "clusters/kind.yaml"})
//	defer c.Down()
//	img, _ := ociimage.Static("bin/meshd", "/usr/local/bin/meshd", ociimage.Config{})
//	err = c.LoadImage(ctx, "meshlab/meshd:dev", img) // or c.LoadArchive(ctx, "meshd.tar")
//
// Every exit path of Up deletes what it created: a failed or interrupted create leaves no
// container, network or kubeconfig entry behind.
package kind
