package scenarios

import (
	"fmt"
	"strings"
)

// maxSuggestDistance is how many single-character edits apart a known name may be from a
// misspelling and still be suggested; names shorter than 4 characters get one edit.
const maxSuggestDistance = 2

// suggest returns the known name closest to got (ignoring case) if it is within
// maxSuggestDistance edits, else "". Ties go to the earlier name.
func suggest(got string, known []string) string {
	limit := maxSuggestDistance
	if len(got) < 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, k := range known {
		if d := editDistance(strings.ToLower(got), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// didYouMean is ` (did you mean "x"?)` when a known name is close to got, else "".
func didYouMean(got string, known []string) string {
	if s := suggest(got, known); s != "" && s != got {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// unknownName is the message for a name outside a fixed set: a suggestion when one is
// close, else the set.
func unknownName(what, got string, known []string) string {
	if hint := didYouMean(got, known); hint != "" {
		return fmt.Sprintf("unknown %s %q%s", what, got, hint)
	}
	return fmt.Sprintf("unknown %s %q; want one of %s", what, got, strings.Join(known, ", "))
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
