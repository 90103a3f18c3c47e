// Package load is the harness's load generator: an open-model vegeta attack through the
// gateway whose samples are free of coordinated omission and streamed to disk as they arrive.
//
//	scenarios.Load ──NewProfile──▶ Profile (a vegeta.Pacer: hit n is due at At(n))
//	Load.Mix, seed ─NewTargeter──▶ vegeta.Targeter (request k is a pure function of seed and k)
//	                                     │
//	                       vegeta.Attacker (unbounded workers, keep-alive client)
//	                                     │ *vegeta.Result, in Seq order of send
//	                                     ▼
//	      rewrite: Timestamp = began + At(Seq)          (the intended send time)
//	               Latency   = end − intended          (counted from the intended time)
//	               Meshlab-Send-Lag: <ns>              (actual send − intended, signed)
//	               BytesIn   = the full body size      (counted below vegeta's MaxBody)
//	                                     │
//	                                     ├──▶ Config.Out (gob, vegeta.NewEncoder; flushed per result)
//	                                     └──▶ Config.OnResult (live stats)
//
// Vegeta stamps a result when a worker picks its tick up, and hands out Seq in that same order.
// When the system under test stalls, a stamp taken at pick-up hides the wait a real client of
// an open system would have seen. Attack therefore measures every request from the time the
// schedule intended it to be sent: the Seq-th tick of the profile. The start of the attack is
// learnt exactly from vegeta's first Pace call, which vegeta makes right after taking its own
// start time with the elapsed time since it.
package load
