from bot.telegram.middlewares.throttling import FloodGate


def test_a_burst_is_admitted_then_one_warning_then_silence():
    gate = FloodGate(interval=1.0, burst=3)
    results = [gate.admit(7, now=100.0) for _ in range(6)]
    assert [admitted for admitted, _ in results] == [True, True, True, False, False, False]
    assert [warn for _, warn in results] == [False, False, False, True, False, False]


def test_tokens_come_back_with_time_and_users_are_independent():
    gate = FloodGate(interval=1.0, burst=1)
    assert gate.admit(1, now=0.0) == (True, False)
    assert gate.admit(1, now=0.1)[0] is False
    assert gate.admit(2, now=0.1) == (True, False)
    assert gate.admit(1, now=1.2) == (True, False)


def test_zero_interval_disables_the_gate():
    gate = FloodGate(interval=0)
    assert all(gate.admit(1, now=0.0)[0] for _ in range(100))
