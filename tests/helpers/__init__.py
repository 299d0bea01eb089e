"""What several test modules share: badges and rosters, the hand-computed evaluation case, a real
`hq serve` process, a throw-away PostgreSQL server."""
