// Package harness runs a scenario: it brings a mesh up on the scenario's backend, drives the load
// through its gateway, streams every sample to disk as it arrives, tears the mesh down on every
// exit path, and writes the report.
//
//	Run ─▶ backend.Up ─▶ load.Attack ─▶ results.bin ─▶ reports.Analyze ─▶ report.json, report.md
//	  └──────── defer: mesh.Down (success, error, Ctrl-C/SIGTERM via ctx, panic) ───────┘
package harness
