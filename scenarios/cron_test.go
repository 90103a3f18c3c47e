package scenarios

import (
	"encoding/json"
	"testing"
	"time"

	cm "github.com/chaos-mesh/chaos-mesh/api/v1alpha1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schedule decodes a Schedule the way a scenario does.
func schedule(t *testing.T, spec string) *cm.Schedule {
	t.Helper()
	raw := `{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"Schedule","metadata":{"name":"s"},"spec":` + spec + `}`
	obj, ps := DecodeChaos(json.RawMessage(raw), "default")
	require.Empty(t, ps)
	return obj.(*cm.Schedule)
}

func secs(ss ...int) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = time.Duration(s) * time.Second
	}
	return out
}

func TestFirings(t *testing.T) {
	t.Parallel()
	const kill = `"type":"PodChaos","podChaos":{"action":"pod-kill","mode":"one","selector":{"labelSelectors":{"app":"payment"}}}`
	delay := func(d string) string {
		return `"type":"NetworkChaos","networkChaos":{"action":"delay","mode":"one","delay":{"latency":"10ms"},` +
			`"selector":{"labelSelectors":{"app":"payment"}}` + d + `}`
	}
	tests := []struct {
		name string
		spec string
		want []time.Duration
	}{
		{"@every, one-shot never blocks", `{"schedule":"@every 20s",` + kill + `}`, secs(20, 40)},
		{"@every rounds to seconds", `{"schedule":"@every 19.6s",` + kill + `}`, secs(20, 40)},
		{"6-field cron", `{"schedule":"*/15 * * * * *",` + kill + `}`, secs(15, 30, 45)},
		{"5-field cron: every minute, not at the start", `{"schedule":"* * * * *",` + kill + `}`, nil},
		{"@hourly within a minute: none", `{"schedule":"@hourly",` + kill + `}`, nil},
		{"Forbid skips while the child lasts", `{"schedule":"@every 10s",` + delay(`,"duration":"15s"`) + `}`, secs(10, 30, 50)},
		{"Allow stacks", `{"schedule":"@every 10s","concurrencyPolicy":"Allow",` + delay(`,"duration":"15s"`) + `}`, secs(10, 20, 30, 40, 50)},
		{"Forbid without duration fires once", `{"schedule":"@every 10s",` + delay("") + `}`, secs(10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Firings(schedule(t, tt.spec), 59*time.Second))
		})
	}
}

func TestParseCron(t *testing.T) {
	t.Parallel()
	at := func(c string, from time.Time) time.Time {
		s, err := parseCron(c)
		require.NoError(t, err, c)
		next, ok := s.next(from)
		require.True(t, ok, c)
		return next
	}
	epoch := RunEpoch // Saturday 2000-01-01 00:00:00
	assert.Equal(t, epoch.Add(time.Hour), at("@hourly", epoch))
	assert.Equal(t, epoch.AddDate(0, 0, 1), at("@daily", epoch))
	assert.Equal(t, epoch.AddDate(0, 0, 1), at("@weekly", epoch), "next Sunday")
	assert.Equal(t, epoch.AddDate(0, 1, 0), at("@monthly", epoch))
	assert.Equal(t, epoch.Add(5*time.Minute+30*time.Second), at("30 5 * * * *", epoch))
	assert.Equal(t, epoch.AddDate(0, 0, 2).Add(9*time.Hour), at("0 9 * * mon-fri", epoch))
	assert.Equal(t, epoch.Add(10*time.Minute), at("10,20 * * * *", epoch))
	for _, bad := range []string{"", "* * *", "61 * * * *", "@every x", "*/0 * * * *", "5-1 * * * *"} {
		_, err := parseCron(bad)
		assert.Error(t, err, bad)
	}
}

func TestFaultPlan(t *testing.T) {
	t.Parallel()
	s := Scenario{Name: "p", Load: Load{Rate: 1, Duration: dur(60 * time.Second)}}
	s.Faults = []FaultSpec{
		{At: dur(5 * time.Second), Object: json.RawMessage(`{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"NetworkChaos",` +
			`"metadata":{"name":"slow"},"spec":{"action":"delay","mode":"all","duration":"20s","delay":{"latency":"100ms"},` +
			`"selector":{"labelSelectors":{"app":"product"}}}}`)},
		{At: dur(10 * time.Second), Object: json.RawMessage(`{"apiVersion":"chaos-mesh.org/v1alpha1","kind":"Schedule",` +
			`"metadata":{"name":"kills"},"spec":{"schedule":"@every 20s","type":"PodChaos","podChaos":{"action":"pod-kill",` +
			`"mode":"one","duration":"5s","selector":{"labelSelectors":{"app":"payment"}}}}}`)},
	}
	plan, err := s.FaultPlan(60 * time.Second)
	require.NoError(t, err)
	require.Len(t, plan, 3)
	product := cm.PodSelector{Mode: cm.AllMode, Selector: cm.PodSelectorSpec{GenericSelectorSpec: cm.GenericSelectorSpec{
		Namespaces: []string{"default"}, LabelSelectors: map[string]string{"app": "product"}}}}
	assert.Equal(t, Fault{Name: "slow", Kind: "NetworkChaos", Action: "delay", At: 5 * time.Second,
		Duration: 20 * time.Second, Selector: product, Object: plan[0].Object, Raw: s.Faults[0].Object}, plan[0].Fault)
	assert.Equal(t, []string{"kills", "kills-1", "kills-2", "slow"}, plan.Names(), "each firing and the Schedule, sorted")
	for i, f := range plan[1:] {
		assert.Equal(t, "kills", f.Schedule)
		assert.True(t, f.OneShot, "pod-kill acts once")
		assert.Equal(t, cm.OneMode, f.Selector.Mode)
		assert.Equal(t, map[string]string{"app": "payment"}, f.Selector.Selector.LabelSelectors)
		assert.Equal(t, []string{"kills-1", "kills-2"}[i], f.Name)
		assert.Equal(t, []time.Duration{30 * time.Second, 50 * time.Second}[i], f.At, "on the run clock from the Schedule's creation")
		assert.Zero(t, f.Duration, "pod-kill is one-shot")
		pc := f.Object.(*cm.PodChaos)
		assert.Equal(t, f.Name, pc.Name)
		assert.Equal(t, []string{"default"}, pc.Spec.Selector.Namespaces, "defaulted as Chaos Mesh's webhook does")
	}
}
