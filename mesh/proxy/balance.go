package proxy

import "github.com/meshlab/meshlab/mesh/policy"

// pick chooses the endpoint for call's next try among c's endpoints, skipping endpoints already
// tried while any is left: round robin, or rendezvous hashing of the Idempotency-Key. It
// returns nil when c has no endpoints.
func (c *Cluster) pick(call *Call) *Endpoint { return c.pickFrom(c.Endpoints, call, "", nil) }

// pickFrom chooses among eps (c's endpoints, or a subset of them) by algorithm lb
// (policy.RoundRobin when "", LeastRequest, Random; rnd uniform in [0, 1)); a request with an
// Idempotency-Key always goes by rendezvous hashing. It returns nil when eps is empty.
func (c *Cluster) pickFrom(eps []*Endpoint, call *Call, lb string, rnd func() float64) *Endpoint {
	switch {
	case len(eps) == 0:
		return nil
	case call.Key != "":
		return rendezvous(eps, call)
	case lb == policy.LeastRequest && rnd != nil:
		return leastRequest(eps, call, rnd)
	case lb == policy.Random && rnd != nil:
		return randomPick(eps, call, rnd)
	}
	return c.roundRobin(eps, call)
}

// roundRobin takes the next endpoint in turn, or on a retry the first untried one after the
// first try's: the turn moves once per request, so retries do not skew the spread.
func (c *Cluster) roundRobin(eps []*Endpoint, call *Call) *Endpoint {
	n := uint64(len(eps))
	if !call.turned {
		call.turn, call.turned = c.rr.Add(1)-1, true
	}
	start := call.turn
	for i := range n {
		if ep := eps[(start+i)%n]; !call.hasTried(ep) {
			return ep
		}
	}
	return eps[start%n]
}

// randomPick takes an untried endpoint at random, or any once every one was tried.
func randomPick(eps []*Endpoint, call *Call, rnd func() float64) *Endpoint {
	n := untried(eps, call)
	if n == 0 {
		return eps[randN(rnd, len(eps))]
	}
	return nthUntried(eps, call, randN(rnd, n))
}

// leastRequest is the power of two choices: of two distinct untried endpoints taken at random,
// the one with fewer tries in flight (the first on a tie).
func leastRequest(eps []*Endpoint, call *Call, rnd func() float64) *Endpoint {
	n := untried(eps, call)
	if n == 0 {
		return eps[randN(rnd, len(eps))]
	}
	i := randN(rnd, n)
	a := nthUntried(eps, call, i)
	if n == 1 {
		return a
	}
	j := randN(rnd, n-1)
	if j >= i {
		j++
	}
	if b := nthUntried(eps, call, j); b.inflight.Load() < a.inflight.Load() {
		return b
	}
	return a
}

// untried counts the endpoints of eps that call has not tried.
func untried(eps []*Endpoint, call *Call) int {
	n := 0
	for _, ep := range eps {
		if !call.hasTried(ep) {
			n++
		}
	}
	return n
}

// nthUntried returns the i-th (from 0) endpoint of eps that call has not tried.
func nthUntried(eps []*Endpoint, call *Call, i int) *Endpoint {
	for _, ep := range eps {
		if call.hasTried(ep) {
			continue
		}
		if i == 0 {
			return ep
		}
		i--
	}
	return eps[0]
}

// randN returns a random int in [0, n).
func randN(rnd func() float64, n int) int {
	return min(int(rnd()*float64(n)), n-1)
}

// rendezvous takes the untried endpoint of highest weight for the key (highest random weight
// hashing): a key keeps its endpoint while that endpoint stays, and only the keys of an
// endpoint that leaves move. Once every endpoint was tried it takes the key's first choice.
func rendezvous(eps []*Endpoint, call *Call) *Endpoint {
	if !call.hashed {
		call.keyHash, call.hashed = hashString(call.Key), true
	}
	var best, top *Endpoint
	var bestW, topW uint64
	for _, ep := range eps {
		w := mix64(call.keyHash ^ ep.hash)
		if top == nil || w > topW {
			top, topW = ep, w
		}
		if (best == nil || w > bestW) && !call.hasTried(ep) {
			best, bestW = ep, w
		}
	}
	if best == nil {
		return top
	}
	return best
}

// hashString is 64-bit FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix64 is SplitMix64's finalizer: every input bit moves every output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
