package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// ReadResults reads every sample of a results file in vegeta's gob encoding (what
// vegeta.NewEncoder writes, and `vegeta report` reads). A run that died while writing leaves a
// cut-off last record: ReadResults keeps every complete record before it and returns, as
// dropped, the number of bytes it could not read; dropped is 0 for a whole file. Anything else
// wrong with the file is an error.
func ReadResults(path string) (results []vegeta.Result, dropped int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading samples: %w", err)
	}
	defer f.Close()
	cr := &countingReader{r: bufio.NewReader(f)}
	dec := vegeta.NewDecoder(cr)
	for good := int64(0); ; good = cr.n {
		var r vegeta.Result
		switch err := dec.Decode(&r); {
		case err == nil:
			results = append(results, r)
		case errors.Is(err, io.EOF) && cr.n == good:
			return results, 0, nil
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return results, cr.n - good, nil // the decoder read to the end of the file
		default:
			return results, 0, fmt.Errorf("reading %s: sample %d at byte %d: %w", path, len(results)+1, good, err)
		}
	}
}

// countingReader counts the bytes read through it. It is an io.ByteReader, so gob reads from
// it directly, no further than the end of the message it decodes: after each Decode, n is the
// offset of the end of that record.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}
