package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func argv(s string) [][]byte { return bytes.Split([]byte(s), []byte{0}) }

func TestIsMeshd(t *testing.T) {
	t.Parallel()
	svc := "/meshd\x00service\x00--service\x00payment\x00--instance\x00payment-v1-abc\x00--listen\x00127.0.0.1:8080"
	assert.True(t, isMeshd(argv(svc), "service", "payment-v1-abc"))
	assert.False(t, isMeshd(argv(svc), "sidecar", "payment-v1-abc"), "another role")
	assert.False(t, isMeshd(argv(svc), "service", "payment-v1-xyz"), "another pod's")
	assert.True(t, isMeshd(argv("meshd\x00sidecar\x00--instance=user-0"), "sidecar", "user-0"))
	assert.False(t, isMeshd(argv("/bin/sh\x00service\x00--instance\x00user-0"), "service", "user-0"), "not meshd")
	assert.False(t, isMeshd(argv("/meshd\x00service\x00--instance"), "service", "user-0"), "no value")
}
