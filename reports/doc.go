// Package reports turns a run's exact samples into its report: report.json, the source of
// truth; report.md for terminals and pull-request comments; report.html with plots; and
// junit.xml carrying the scenario's gates for CI systems. Compare sets reports side by side.
//
//	run dir/
//	  run.json    ──ReadMeta──────┐
//	  results.bin ──ReadResults───┴─▶ Analyze ─▶ *Report ─┬─ WriteJSON     ─▶ report.json
//	                (vegeta gob)                           ├─ WriteMarkdown ─▶ report.md
//	                                                       ├─ WriteHTML     ─▶ report.html
//	                                                       └─ WriteJUnit    ─▶ junit.xml
//	report.json ×N (base), ×M (new) ──Compare──▶ *Comparison ─▶ WriteMarkdown / WriteJSON
//
// Rebuild does the left half from a run directory, WriteFiles the right half, so a report can
// be rebuilt at any time without a rerun; a rebuilt report.json equals the original byte for
// byte (nothing in it depends on when or where it was built).
//
// # Samples
//
// results.bin is vegeta's gob encoding, as the harness streams it: Timestamp is a request's
// intended send time from the schedule and Latency runs from it to completion (free of
// coordinated omission); the rundir.SendLagHeader annotation holds the actual send time minus the
// intended one (absent: 0). Code 0 means no response. Requests are classified into
// scenarios.Routes by method and path (Classify), anything else is OtherRoute.
//
// # Definitions
//
//   - Window: from StartedAt + Scenario.Warmup to the end of the schedule (an interrupted run:
//     to its last send, if earlier). Samples intended before the window's start are warm-up
//     and left out of every figure; only their count is reported.
//   - Requests: samples intended within the window. Sent: requests actually sent (intended
//     time + send lag) within the window. Achieved rate: Sent ÷ window length. Throughput:
//     successes ÷ window length. Target rate: Meta.TargetRate, or the scenario's load profile's
//     mean rate over the window when it is 0; a route's is its share of the mix × that.
//   - Success: status 200–399, as `vegeta report` counts it.
//   - Latency quantiles: nearest rank on the exact sorted samples of every request of the set,
//     failed ones included (as vegeta does): the q-quantile is the smallest sample s such that
//     at least q of the samples are ≤ s, sorted[⌈q·n⌉−1] (see Quantile). Of 1..1000 ms: p50 500,
//     p99 990, p99.9 999, max 1000. Mean is the exact mean rounded to the nanosecond. Send lag
//     quantiles are taken the same way.
//   - Error kinds: the error text without the method and URL Go's HTTP client puts in front,
//     the MaxErrorKinds most frequent, ties in text order.
//   - Availability SLO: bad = no response, 5xx or 429 (IsBad); good = every other request;
//     valid = every request of the window. Latency SLO: good = a good request whose latency is
//     ≤ the threshold (a failed request is never fast); bad = every other valid request.
//   - Error budget: Allowed = (100 − objective)/100 × valid bad events, rounded to 6 decimals;
//     Spent = bad events; SpentPercent = Spent ÷ Allowed (may exceed 100; null when Allowed is 0
//     and Spent is not); Remaining = Allowed − Spent. An SLO is met when the window measured a
//     request and Spent ≤ Allowed. The verdict is "met" when every SLO set is met, "not met"
//     when one is not, "none" when the scenario sets none. An interrupted run is judged on
//     what it measured, and says it was interrupted.
//
// # JSON conventions
//
// Keys are lowerCamelCase. Every duration is a JSON number of milliseconds, exact to the
// nanosecond, in a field whose name ends in "Ms" (Duration) — except inside "scenario", which
// is the scenario as the scenarios package writes it ("250ms", "99.9%"). Instants are RFC 3339
// strings in UTC. Percentages are numbers on 0–100 in fields whose names end in "Percent";
// rates are requests per second. Maps (routes, statusCodes) are written with sorted keys;
// routeOrder gives the display order of routes. A later schemaVersion changes or removes
// fields; adding one does not bump it.
//
// # Phases, series, trust
//
// The window is cut at each fault injection and removal (Meta.Faults) and at each policy
// change (Meta.PolicyChanges): "baseline" up to the first injection, "fault:<name>" while a
// fault is in ("fault:a+b" for overlapping ones), "recovery:<name>" after its removal; a
// policy change splits a phase, the part after it named "<phase>@<policy>/v<version>". A
// sample belongs to the phase its intended time falls in; each phase is analysed by the same
// accumulators as the whole, plus its burn rate per SLO: bad ratio ÷ (1 − objective). Series
// bucket the window by intended time at 1 s (each route too) and, for runs under a minute,
// at 100 ms. A run is trusted when the achieved rate is ≥ 99% of the target, the send lag p99
// is under TrustMaxSendLagP99 and the host's CPU p90 (when sampled) is under 90% busy.
//
// # Burn-rate alerts
//
// The SRE workbook's page (14.4× over 1 h and 5 min) and ticket (6× over 6 h and 30 min)
// alerts of a 30-day SLO, scaled to the run: long = run × 1 h/30 d (6 h/30 d), short =
// long/12, at least 1 s (long at least short). They are evaluated on the finest series,
// sliding both windows a step at a time once the long one is whole: an alert fires at a step
// when both windows burn at least its rate.
//
// # Failover
//
// Per injected fault, over its horizon (to the next fault's injection or the window's end):
// a request is affected when it failed (IsBad) or was good but slower than the latency SLO's
// threshold. Effective is the first affected request's intended time, TimeToDetect its
// distance from the injection. TimeToRecover is from the injection to the first moment after
// which every rolling FailoverWindow (sliding by 10 ms) to the horizon's end meets every SLO
// (with no SLO set: holds no affected request); Metastable means the fault was removed and
// that moment never came. RequestsFailed/Slowed count affected requests from the injection to
// the end of the first good window. Retry amplification (retries per mesh request) and
// ejections come from the mesh scrapes around the horizon.
//
// # Gates
//
// `<path> <op> <value>`, see ParseGate and CheckGate; gates of an untrusted run, or on a
// figure the run lacks, are inconclusive. Verdict: fail if any gate failed, else
// inconclusive if any was, else pass; "none" without gates.
package reports
