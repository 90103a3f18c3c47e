package proxy

// pick chooses the endpoint for call's next try among c's endpoints, skipping endpoints already
// tried while any is left: round robin, or rendezvous hashing of the Idempotency-Key. It
// returns nil when c has no endpoints.
func (c *Cluster) pick(call *Call) *Endpoint {
	if len(c.Endpoints) == 0 {
		return nil
	}
	if call.Key != "" {
		return c.rendezvous(call)
	}
	return c.roundRobin(call)
}

// roundRobin takes the next endpoint in turn, or on a retry the first untried one after the
// first try's: the turn moves once per request, so retries do not skew the spread.
func (c *Cluster) roundRobin(call *Call) *Endpoint {
	eps := c.Endpoints
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

// rendezvous takes the untried endpoint of highest weight for the key (highest random weight
// hashing): a key keeps its endpoint while that endpoint stays, and only the keys of an
// endpoint that leaves move. Once every endpoint was tried it takes the key's first choice.
func (c *Cluster) rendezvous(call *Call) *Endpoint {
	if !call.hashed {
		call.keyHash, call.hashed = hashString(call.Key), true
	}
	var best, top *Endpoint
	var bestW, topW uint64
	for _, ep := range c.Endpoints {
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
