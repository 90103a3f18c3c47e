package discovery

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/meshlab/meshlab/mesh/controlplane"
)

func ptr[T any](v T) *T { return &v }

// slice is an EndpointSlice as the EndpointSlice controller writes it for a Service.
func slice(svc string, eps ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: svc + "-abcde", Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr(PortName), Port: ptr(int32(15006))}},
		Endpoints:   eps,
	}
}

func endpoint(pod, ip string, ready, terminating *bool) discoveryv1.Endpoint {
	return discoveryv1.Endpoint{Addresses: []string{ip}, TargetRef: &corev1.ObjectReference{Kind: "Pod", Name: pod},
		Conditions: discoveryv1.EndpointConditions{Ready: ready, Terminating: terminating}}
}

func TestInstances(t *testing.T) {
	t.Parallel()
	pods := map[string]*corev1.Pod{
		"payment-v1-a": {ObjectMeta: metav1.ObjectMeta{Name: "payment-v1-a", Labels: map[string]string{"app": "payment", "version": "v1"}}},
		"payment-v2-b": {ObjectMeta: metav1.ObjectMeta{Name: "payment-v2-b", Labels: map[string]string{"app": "payment", "version": "v2"}}},
	}
	got := Instances([]*discoveryv1.EndpointSlice{
		slice("payment",
			endpoint("payment-v2-b", "10.244.0.9", ptr(true), nil),
			endpoint("payment-v1-a", "10.244.0.7", nil, nil),                // absent ready means ready
			endpoint("payment-v1-c", "10.244.0.8", ptr(true), ptr(true)),    // being deleted
			endpoint("payment-v1-d", "10.244.0.10", ptr(false), ptr(false)), // probe failing
		),
		slice("gateway", endpoint("gateway-x", "10.244.0.2", ptr(true), nil)), // not a mesh service
	}, pods, []string{"user", "product", "order", "payment"})
	assert.Equal(t, []controlplane.Instance{
		{ID: "payment-v1-a", Service: "payment", Addr: "10.244.0.7:15006", Ready: true,
			Labels: map[string]string{"app": "payment", "version": "v1", "pod": "payment-v1-a"}},
		{ID: "payment-v1-c", Service: "payment", Addr: "10.244.0.8:15006", Ready: false,
			Labels: map[string]string{"app": "payment", "pod": "payment-v1-c"}},
		{ID: "payment-v1-d", Service: "payment", Addr: "10.244.0.10:15006", Ready: false,
			Labels: map[string]string{"app": "payment", "pod": "payment-v1-d"}},
		{ID: "payment-v2-b", Service: "payment", Addr: "10.244.0.9:15006", Ready: true,
			Labels: map[string]string{"app": "payment", "version": "v2", "pod": "payment-v2-b"}},
	}, got)
}
