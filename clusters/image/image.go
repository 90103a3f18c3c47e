// Package image packs the mesh's two binaries — meshd (every role a pod runs) and meshcp (the
// control plane on Kubernetes) — into one OCI image with go-containerregistry: no Dockerfile,
// no base image, one layer, reproducible (the same binaries give the same digest), named by a
// tag derived from its digest so that a pod never runs an older image of the same name. The kind
// backend loads it into the nodes; `meshlab image push REF` pushes it for any other cluster.
package image

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/meshlab/meshlab/clusters/kind/ociimage"
)

// Repository is the image's name on a kind cluster; the tag is its digest's first TagLength
// hex digits.
const (
	Repository = "meshlab/meshd"
	TagLength  = 16
)

// Paths of the binaries in the image; meshd is the entrypoint.
const (
	MeshdPath  = "/meshd"
	MeshcpPath = "/meshcp"
)

// Mesh is the image of the static binaries meshd and meshcp.
func Mesh(meshd, meshcp string) (v1.Image, error) {
	for _, p := range []string{meshd, meshcp} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("mesh image: %w (make build builds meshd and meshcp)", err)
		}
	}
	layer, err := ociimage.Layer([]ociimage.File{{Path: MeshdPath, Source: meshd, Mode: 0o755},
		{Path: MeshcpPath, Source: meshcp, Mode: 0o755}}, "")
	if err != nil {
		return nil, err
	}
	return ociimage.Image(ociimage.Config{Entrypoint: []string{MeshdPath}}, layer)
}

// Binaries are meshd (as local.FindMeshd found it) and the meshcp beside it.
func Binaries(meshd string) (string, string) {
	return meshd, filepath.Join(filepath.Dir(meshd), "meshcp")
}

// Tag is the image's digest-derived tag on repo: repo:<first TagLength hex digits>.
func Tag(repo string, img v1.Image) (string, error) {
	d, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("mesh image digest: %w", err)
	}
	return repo + ":" + d.Hex[:TagLength], nil
}

// Push pushes img to ref (a registry's repository, with or without a tag; without one it gets
// the digest-derived tag) and returns the reference pods should name. Credentials come from the
// usual Docker config.
func Push(ctx context.Context, ref string, img v1.Image) (string, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	if !strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") && !strings.Contains(ref, "@") {
		t, err := Tag(r.Context().Name(), img)
		if err != nil {
			return "", err
		}
		if r, err = name.ParseReference(t); err != nil {
			return "", err
		}
	}
	if err := remote.Write(r, img, remote.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("pushing %s: %w", r, err)
	}
	return r.String(), nil
}
