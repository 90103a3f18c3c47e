// Package rundir is the contract of a run directory: the files it holds, how it is named, how
// the runs of a --repeat are laid out, and the annotation each stored sample carries. The
// harness and the backends write run directories; reports, compare and reproduce read them;
// every one of them names the parts through this package.
//
//	runs/<scenario>-<UTC time>/        New, Name
//	  run.json          Meta            the scenario as run, seed, versions, machine, timeline
//	  results.bin       Results         every sample, vegeta's gob encoding (SendLag on each)
//	  report.json       ReportJSON      the source of truth; report.md, report.html, junit.xml
//	  logs/<id>.log     Logs            each process's or pod's log (backend)
//	  processes.jsonl   Processes       local backend: every process incarnation
//
//	<dir>/                              a --repeat N
//	  run-1 … run-N     Repeat          one run directory each
//	  repeat.json       RepeatJSON      the spread over them (reports.RepeatSummary)
//	  repeat.md         RepeatMarkdown
package rundir
