package queuetest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

func testPublishConsume(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)

	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	early := append(messages("k1", "early", 0, 9), queue.Message{Key: "k1", Body: binary})
	// Published before anyone subscribed: kept for the declared group.
	publish(t, q, topic, early[:1]...)
	publish(t, q, topic, early[1:]...)
	c := subscribe(t, q, topic, groups[0])
	got := receiveAck(t, c, len(early))
	require.ElementsMatch(t, messageBodies(early), bodies(got))
	for _, d := range got {
		require.Equal(t, "k1", d.Key)
		require.Equal(t, 1, d.Attempt, "first delivery of %q", d.Body)
	}

	late := append(messages("k2", "late", 0, 5), messages("k3", "late", 5, 5)...)
	publish(t, q, topic, late...)
	got = receiveAck(t, c, len(late))
	require.ElementsMatch(t, messageBodies(late), bodies(got))
	for _, d := range got {
		i, err := strconv.Atoi(strings.TrimPrefix(string(d.Body), "late-"))
		require.NoError(t, err)
		require.Equal(t, late[i].Key, d.Key, "key of %q", d.Body)
	}
}

func testDeclareAgain(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	before := messages("k", "before", 0, 5)
	publish(t, q, topic, before...)

	added := unique("added")
	require.NoError(t, q.Declare(timeout(t), topic, groups[0], added))
	after := messages("k", "after", 0, 3)
	publish(t, q, topic, after...)

	// Declaring again keeps what the existing group holds.
	got := receiveAck(t, subscribe(t, q, topic, groups[0]), len(before)+len(after))
	require.ElementsMatch(t, append(messageBodies(before), messageBodies(after)...), bodies(got))

	// The added group gets what was published after its Declare; whether it also gets
	// earlier messages is the backend's choice.
	c := subscribe(t, q, topic, added)
	want := map[string]bool{}
	for _, b := range messageBodies(after) {
		want[b] = true
	}
	known := map[string]bool{}
	for _, b := range messageBodies(before) {
		known[b] = true
	}
	for len(want) > 0 {
		d := receiveAck(t, c, 1)[0]
		require.True(t, want[string(d.Body)] || known[string(d.Body)], "unexpected %q", d.Body)
		delete(want, string(d.Body))
	}
}

func testFanOut(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 2)
	c0 := subscribe(t, q, topic, groups[0])
	c1 := subscribe(t, q, topic, groups[1])
	var msgs []queue.Message
	for k := range 3 {
		msgs = append(msgs, messages(fmt.Sprintf("k%d", k), fmt.Sprintf("k%d", k), 0, 10)...)
	}
	publish(t, q, topic, msgs...)
	for _, c := range []queue.Consumer{c0, c1} {
		require.ElementsMatch(t, messageBodies(msgs), bodies(receiveAck(t, c, len(msgs))))
	}
}

func testOrderPerKey(t *testing.T, newQueue NewQueue) {
	const keys, perKey, perCall = 5, 40, 10
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])

	var msgs []queue.Message
	for i := range perKey {
		for k := range keys {
			key := fmt.Sprintf("tenant-%d/stream", k)
			msgs = append(msgs, queue.Message{Key: key, Body: fmt.Appendf(nil, "%s|%04d", key, i)})
		}
	}
	for i := 0; i < len(msgs); i += perCall {
		publish(t, q, topic, msgs[i:i+perCall]...)
	}

	next := map[string]int{} // the index each key expects next
	for _, d := range receiveAck(t, c, len(msgs)) {
		key, seq, ok := strings.Cut(string(d.Body), "|")
		require.True(t, ok, "body %q", d.Body)
		require.Equal(t, key, d.Key)
		i, err := strconv.Atoi(seq)
		require.NoError(t, err)
		require.Equal(t, next[key], i, "key %s: message out of order", key)
		next[key] = i + 1
	}
	require.Len(t, next, keys)
}
