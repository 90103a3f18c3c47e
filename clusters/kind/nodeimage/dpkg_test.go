package nodeimage

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const statusFixture = `Package: iptables
Status: install ok installed
Architecture: amd64
Version: 1.8.9-2
Depends: libip4tc2 (= 1.8.9-2), libxtables12 (= 1.8.9-2), netbase | base-files, libc6 (>= 2.34)
Description: administration tools
 for packet filtering

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.36-9+deb12u10
Depends: libgcc-s1

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14
Pre-Depends: libc6:any

Package: libip4tc2
Status: install ok installed
Architecture: amd64
Version: 1.8.9-2
Depends: libc6

Package: libxtables12
Status: install ok installed
Architecture: amd64
Version: 1.8.9-2
Depends: libc6

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u10

Package: removed-one
Status: deinstall ok config-files
Version: 1

Package: busybox-static
Status: install ok installed
Architecture: amd64
Version: 1:1.35.0-4+b3
Provides: busybox
`

func TestDpkgClosure(t *testing.T) {
	t.Parallel()
	st, err := parseDpkgStatus(strings.NewReader(statusFixture))
	require.NoError(t, err)
	assert.NotContains(t, st, "removed-one")
	assert.Equal(t, "1.8.9-2", st["iptables"].Version)

	got, err := st.closure("iptables", "busybox")
	require.Error(t, err, "busybox is only provided, not a package root")
	got, err = st.closure("iptables", "busybox-static")
	require.NoError(t, err)
	// netbase is missing, so its alternative base-files meets the group
	assert.Equal(t, []string{"base-files", "busybox-static", "iptables", "libc6", "libgcc-s1", "libip4tc2", "libxtables12"}, got)

	_, err = st.closure("nftables")
	assert.ErrorContains(t, err, "nftables is not installed")
}
