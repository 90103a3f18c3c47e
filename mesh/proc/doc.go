// Package proc is what every meshd process shares with the backend that starts it: the ready
// handshake (a process binds its listeners on port 0 and reports the addresses it got), the run
// token that guards admin endpoints, and graceful shutdown on SIGTERM/SIGINT.
//
//	backend                               meshd <role>
//	  │ pipe w ──── ExtraFiles[0] = fd 3 ──▶ │ listen 127.0.0.1:0 (each listener)
//	  │                                     │ Ready{Role, PID, Addrs} as one JSON line on fd 3, close
//	  │ ◀──────── {"role":..,"addrs":{..}} ─┘
//
// MESHD_READY_FD names the descriptor (unset: the line goes nowhere), MESHD_TOKEN holds the run
// token.
package proc
