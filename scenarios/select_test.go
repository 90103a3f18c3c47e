package scenarios

import (
	"math/rand/v2"
	"testing"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func labels(kv map[string]string) cm.PodSelectorSpec {
	return cm.PodSelectorSpec{GenericSelectorSpec: cm.GenericSelectorSpec{LabelSelectors: kv}}
}

func TestSelectCounts(t *testing.T) {
	t.Parallel()
	ws := (&Scenario{}).Workloads() // 3 payment instances
	pay := labels(map[string]string{"app": "payment"})
	tests := []struct {
		name  string
		mode  cm.SelectorMode
		value string
		want  int
	}{
		{"one", cm.OneMode, "", 1},
		{"all", cm.AllMode, "", 3},
		{"fixed below N", cm.FixedMode, "2", 2},
		{"fixed above N", cm.FixedMode, "9", 3},
		{"fixed-percent rounds up", cm.FixedPercentMode, "34", 2},
		{"fixed-percent at least 1", cm.FixedPercentMode, "1", 1},
		{"fixed-percent 100", cm.FixedPercentMode, "100", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Select(pay, tt.mode, tt.value, ws, FaultRand(1, tt.name))
			require.NoError(t, err)
			assert.Len(t, got, tt.want)
			for _, g := range got {
				assert.Regexp(t, `^payment-[0-2]$`, g)
			}
		})
	}
}

func TestSelectErrors(t *testing.T) {
	t.Parallel()
	ws := (&Scenario{}).Workloads()
	rng := FaultRand(1, "x")
	_, err := Select(labels(map[string]string{"app": "billing"}), cm.AllMode, "", ws, rng)
	assert.ErrorIs(t, err, ErrNoTarget)
	_, err = Select(labels(map[string]string{"app": "payment"}), cm.FixedMode, "0", ws, rng)
	assert.Error(t, err)
	_, err = Select(labels(map[string]string{"app": "payment"}), "some", "", ws, rng)
	assert.Error(t, err)
	sel := labels(nil)
	sel.AnnotationSelectors = map[string]string{"a": "b"}
	_, err = Select(sel, cm.AllMode, "", ws, rng)
	assert.ErrorIs(t, err, ErrNotSupportedLocally)
}

// TestSelectRandomMaxPercent: p is uniform on 0..value, so with N=3 and value 100 the count
// ceil(3p/100) is 0 only for p=0 (1 in 101) and 3 for p in 67..100 (34 in 101).
func TestSelectRandomMaxPercent(t *testing.T) {
	t.Parallel()
	ws := (&Scenario{}).Workloads()
	pay := labels(map[string]string{"app": "payment"})
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 20000
	counts := map[int]int{}
	for range n {
		got, err := Select(pay, cm.RandomMaxPercentMode, "100", ws, rng)
		require.NoError(t, err)
		counts[len(got)]++
	}
	assert.Positive(t, counts[0], "random-max-percent may pick none")
	// 34/101 ≈ 0.3366; binomial sd √(n·p·(1−p)) ≈ 67; allow 5 sd.
	assert.InDelta(t, n*34/101, counts[3], 5*67)
}

// TestSelectUniformAndReproducible: each of 3 candidates is picked by mode one about a third
// of the time, and the same seed and fault name pick the same instances.
func TestSelectUniformAndReproducible(t *testing.T) {
	t.Parallel()
	ws := (&Scenario{}).Workloads()
	pay := labels(map[string]string{"app": "payment"})
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 9000
	counts := map[string]int{}
	for range n {
		got, err := Select(pay, cm.OneMode, "", ws, rng)
		require.NoError(t, err)
		counts[got[0]]++
	}
	for _, c := range counts {
		assert.InDelta(t, n/3, c, 5*45) // sd √(9000·⅓·⅔) ≈ 45
	}
	a, _ := Select(pay, cm.FixedMode, "2", ws, FaultRand(42, "payment-kill"))
	b, _ := Select(pay, cm.FixedMode, "2", ws, FaultRand(42, "payment-kill"))
	assert.Equal(t, a, b)
}

func TestMatches(t *testing.T) {
	t.Parallel()
	w := Workload{Name: "payment-1", Namespace: "default", Labels: map[string]string{"app": "payment", "version": "v1"}}
	expr := func(op string, vals ...string) cm.PodSelectorSpec {
		s := labels(nil)
		s.ExpressionSelectors = cm.LabelSelectorRequirements{{Key: "app", Operator: metav1.LabelSelectorOperator(op), Values: vals}}
		return s
	}
	tests := []struct {
		name string
		sel  cm.PodSelectorSpec
		want bool
	}{
		{"labels", labels(map[string]string{"app": "payment", "version": "v1"}), true},
		{"labels mismatch", labels(map[string]string{"version": "v2"}), false},
		{"In", expr("In", "order", "payment"), true},
		{"NotIn", expr("NotIn", "payment"), false},
		{"Exists", expr("Exists"), true},
		{"DoesNotExist", expr("DoesNotExist"), false},
		{"namespace", cm.PodSelectorSpec{GenericSelectorSpec: cm.GenericSelectorSpec{Namespaces: []string{"other"}}}, false},
		{"pods override labels", cm.PodSelectorSpec{GenericSelectorSpec: cm.GenericSelectorSpec{
			LabelSelectors: map[string]string{"app": "user"}}, Pods: map[string][]string{"default": {"payment-1"}}}, true},
		{"field name", cm.PodSelectorSpec{GenericSelectorSpec: cm.GenericSelectorSpec{
			FieldSelectors: map[string]string{"metadata.name": "payment-1"}}}, true},
		{"phase", cm.PodSelectorSpec{PodPhaseSelectors: []string{"Pending"}}, false},
		{"phase running", cm.PodSelectorSpec{PodPhaseSelectors: []string{"Running"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Matches(tt.sel, w)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
