// Package ociimage packs files into OCI images with go-containerregistry, without a Dockerfile,
// a base image or a registry, and writes them as archives that `docker load` and
// `ctr images import` read.
//
// Images are reproducible: the same files give the same layer and image digests (entries sorted,
// owned by root, timestamps zero, no creation time in the config).
//
//	img, err := ociimage.Static("bin/meshd", "/meshd", ociimage.Config{Entrypoint: []string{"/meshd"}})
//	err = ociimage.WriteArchive("meshd.tar", "meshlab/meshd:dev", img)
package ociimage
