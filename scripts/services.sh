#!/usr/bin/env bash
# Starts whichever of the engines the tests use is down (PostgreSQL, Redis, NATS with
# JetStream, MariaDB), then waits until each answers. Safe to run again: running ones are left alone.
set -u

up() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_up() { # name port
  for _ in $(seq 1 60); do
    up 127.0.0.1 "$2" && return 0
    sleep 0.5
  done
  echo "services: $1 did not come up on 127.0.0.1:$2" >&2
  return 1
}

status=0
if ! up 127.0.0.1 5432; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_up postgresql 5432 || status=1
fi
if ! up 127.0.0.1 6379; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_up redis 6379 || status=1
fi
if ! up 127.0.0.1 4222; then
  echo "services: starting NATS"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
  wait_up nats 4222 || status=1
fi
if ! up 127.0.0.1 3306; then
  echo "services: starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
  wait_up mariadb 3306 || status=1
fi
# PostgreSQL accepts TCP a moment before it accepts queries.
for _ in $(seq 1 40); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.5
done
exit $status
