package vlogs

import (
	"flag"
	"fmt"
	"strconv"
	"sync"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/logger"
)

// The storage library reads its settings from flags of the process-wide flag set, which
// importing it registers, and it panics unless that set was parsed; Trolly parses flag
// sets of its own. engineSetup sets what the library needs, once per process, and marks
// the set parsed.
var engine struct {
	once        sync.Once
	memoryBytes int64
	err         error
}

func engineSetup(memoryBytes int64) error {
	engine.once.Do(func() {
		engine.memoryBytes = memoryBytes
		fs := flag.CommandLine
		for name, value := range map[string]string{
			// Its caches take this much; unset, 60% of the machine's memory.
			"memory.allowedBytes": strconv.FormatInt(memoryBytes, 10),
			// Its own log goes to stderr: warnings and errors only.
			"loggerLevel": "WARN",
		} {
			if err := fs.Set(name, value); err != nil {
				engine.err = fmt.Errorf("search engine setting %s: %w", name, err)
				return
			}
		}
		if !fs.Parsed() {
			if err := fs.Parse(nil); err != nil {
				engine.err = fmt.Errorf("search engine settings: %w", err)
				return
			}
		}
		logger.InitNoLogFlags()
	})
	if engine.err != nil {
		return engine.err
	}
	if memoryBytes != engine.memoryBytes {
		return fmt.Errorf("search memory_bytes: the engine's budget is set once per process, to %d; got %d", engine.memoryBytes, memoryBytes)
	}
	return nil
}
