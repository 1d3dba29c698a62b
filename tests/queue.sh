# tests/queue.sh (sourced): a queue of indexes 0, 1, 2, ... that several
# processes take from, each index once (tests/run-suites.sh and
# tests/sim/run.sh run suites side by side with it).

# queue_init DIR: the queue's state in DIR (an existing directory).
queue_init() {
	echo 0 >"$1/next"
}

# queue_claim DIR: prints the next index.  A mkdir lock: atomic across
# processes, no flock needed.
queue_claim() {
	while ! mkdir "$1/lock" 2>/dev/null; do sleep 0.01; done
	qn=$(cat "$1/next")
	echo $((qn + 1)) >"$1/next"
	rmdir "$1/lock"
	echo "$qn"
}
