// Package cni is meshlab-cni, the node network of meshlab's kind node image: kindnetd's core job
// (kindnetd's module is not served by the module proxy). On each node, as a host-network
// DaemonSet pod, it
//
//   - writes /etc/cni/net.d/10-meshlab.conflist: the reference plugins ptp (a veth per pod),
//     host-local (addresses from the node's podCIDR) and portmap (hostPort);
//   - routes every other node's podCIDR through that node's InternalIP;
//   - masquerades traffic from the pod subnet to anywhere outside it.
//
// Config and Routes are pure; Agent applies them every few seconds until its context ends.
package cni
