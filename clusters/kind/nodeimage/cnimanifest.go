package nodeimage

// cniManifest is the node's default CNI (/kind/manifests/default-cni.yaml): kind templates the
// pod subnet in and patches CONTROL_PLANE_ENDPOINT into the DaemonSet, as it does for kindnetd,
// which is not served by the module proxy. meshlab-cni does kindnetd's core job: it writes a
// ptp + host-local + portmap configuration for its node's podCIDR, routes the other nodes'
// podCIDRs through their InternalIPs and masquerades traffic leaving the pod subnet.
// {{ .Image }} is filled in by the build.
const cniManifest = `# would you kindly template this file
# would you kindly patch this file
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: meshlab-cni
rules:
  - apiGroups: [""]
    resources: [nodes]
    verbs: [list, watch, get]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: meshlab-cni
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: meshlab-cni
subjects:
- kind: ServiceAccount
  name: meshlab-cni
  namespace: kube-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: meshlab-cni
  namespace: kube-system
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: meshlab-cni
  namespace: kube-system
  labels:
    app: meshlab-cni
    k8s-app: meshlab-cni
spec:
  selector:
    matchLabels:
      app: meshlab-cni
  template:
    metadata:
      labels:
        app: meshlab-cni
        k8s-app: meshlab-cni
    spec:
      hostNetwork: true
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - operator: Exists
      priorityClassName: system-node-critical
      serviceAccountName: meshlab-cni
      containers:
      - name: meshlab-cni
        image: {{ .Image }}
        imagePullPolicy: IfNotPresent
        env:
        - name: NODE_NAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: POD_SUBNET
          value: {{ .PodSubnet }}
        volumeMounts:
        - name: cni-cfg
          mountPath: /etc/cni/net.d
        - name: xtables-lock
          mountPath: /run/xtables.lock
        resources:
          requests:
            cpu: "20m"
            memory: "20Mi"
        securityContext:
          privileged: false
          capabilities:
            add: ["NET_RAW", "NET_ADMIN"]
      volumes:
      - name: cni-cfg
        hostPath:
          path: /etc/cni/net.d
      - name: xtables-lock
        hostPath:
          path: /run/xtables.lock
          type: FileOrCreate
`
