package stress_test

import (
	"fmt"

	"github.com/meshlab/meshlab/mesh/stress"
)

func ExampleStressor() {
	s := stress.New(nil)
	err := s.Apply(stress.Spec{Memory: &stress.Memory{Workers: 2, Size: "4MiB"}})
	if err != nil {
		panic(err)
	}
	st := s.Status()
	fmt.Println(st.Running, st.MemoryWorkers, st.BytesWanted)
	s.Stop() // recovery
	fmt.Println(s.Status().Running)
	// Output:
	// true 2 4194304
	// false
}
