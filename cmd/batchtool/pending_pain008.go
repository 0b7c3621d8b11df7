package main

import (
	"fmt"
	"io"
)

func inspectPain008(name string, r io.Reader) (*inspection, error) {
	return nil, fmt.Errorf("pain.008 inspection not available yet")
}
