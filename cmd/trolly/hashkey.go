package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/trolly-logs/trolly/tenant"
)

// hashKey prints the stored form of a key given as argument, on stdin ("-"), or made anew.
func hashKey(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: trolly hash-key <key> | trolly hash-key - (reads the key from stdin) | trolly hash-key --new")
		return exitUsage
	}
	key := args[0]
	switch key {
	case "-":
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "trolly hash-key: read key: %v\n", err)
			return exitFailure
		}
		key = strings.TrimRight(line, "\r\n")
	case "--new":
		b := make([]byte, 32)
		_, _ = rand.Read(b) // crypto/rand.Read never fails
		key = "trl_" + base64.RawURLEncoding.EncodeToString(b)
		fmt.Fprintln(stdout, "key: ", key)
		fmt.Fprintln(stdout, "hash:", tenant.HashKey(key))
		return exitOK
	}
	if key == "" {
		fmt.Fprintln(stderr, "trolly hash-key: the key is empty")
		return exitUsage
	}
	fmt.Fprintln(stdout, tenant.HashKey(key))
	return exitOK
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
