// Command meshlab is the harness CLI: it lists, validates and runs scenarios, rebuilds reports
// from stored samples, and holds a mesh up for manual exploration.
package main

import "os"

func main() { os.Exit(Main()) }
