package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// brokerRun is the shared queue of a topology run and how to read its CPU time.
type brokerRun struct {
	yaml string
	pid  int
	stop func()
}

func (b *brokerRun) cpu() time.Duration {
	d, _ := procCPU(b.pid)
	return d
}

// openBroker gives the run a RabbitMQ virtual host of its own on the local server, or
// starts the Kafka fake.
func openBroker(o options) (*brokerRun, error) {
	name := make([]byte, 4)
	_, _ = rand.Read(name)
	id := "load-" + hex.EncodeToString(name)
	switch o.topology {
	case "rabbitmq":
		return openRabbit(id)
	case "kafka":
		return openKafkaFake(o.kfake, id)
	}
	return nil, fmt.Errorf("-topology must be rabbitmq or kafka, got %q", o.topology)
}

var osPID = regexp.MustCompile(`OS PID: (\d+)`)

func openRabbit(vhost string) (*brokerRun, error) {
	status, err := exec.Command("rabbitmqctl", "status").Output()
	if err != nil {
		return nil, fmt.Errorf("rabbitmqctl status (is RabbitMQ running? scripts/services): %w", err)
	}
	m := osPID.FindSubmatch(status)
	if m == nil {
		return nil, fmt.Errorf("no OS PID in rabbitmqctl status")
	}
	pid, _ := strconv.Atoi(string(m[1]))
	for _, args := range [][]string{{"add_vhost", vhost}, {"set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"}} {
		if out, err := exec.Command("rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("rabbitmqctl %v: %w %s", args, err, out)
		}
	}
	return &brokerRun{
		yaml: fmt.Sprintf("queue: {driver: rabbitmq, rabbitmq: {url: %q}}", "amqp://guest:guest@127.0.0.1:5672/"+vhost),
		pid:  pid,
		stop: func() { _ = exec.Command("rabbitmqctl", "-q", "delete_vhost", vhost).Run() },
	}, nil
}

func openKafkaFake(bin, prefix string) (*brokerRun, error) {
	cmd := exec.Command(bin, "-port", "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (go build -o %s ./test/kfake): %w", bin, bin, err)
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
			return &brokerRun{
				yaml: fmt.Sprintf("queue: {driver: kafka, kafka: {brokers: [%q], prefix: %q}}", addr, prefix),
				pid:  cmd.Process.Pid,
				stop: stop,
			}, nil
		}
	}
	stop()
	return nil, fmt.Errorf("kfake exited before it was ready")
}
