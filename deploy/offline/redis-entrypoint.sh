#!/bin/sh
# Without a config file Redis 7 refuses clients from other hosts (protected mode); the official
# image turns that off the same way, since only the compose network reaches it.
set -eu
if [ "${1:-}" = redis-server ]; then
    shift
    exec redis-server --protected-mode no "$@"
fi
exec "$@"
