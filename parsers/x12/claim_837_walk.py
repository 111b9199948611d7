"""Walks 837 segments through the loop table: opens and closes loops, checks order and counts.

A segment belongs to the innermost open loop that allows it at this point, or opens a child
loop there; otherwise the loops above are tried, as the X12 loop rules say. Anything that
fits nowhere, comes out of order, repeats too often or leaves a required part missing is an
error naming the segment, the loop and the cause. Builders hear about every step by role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from parsers.records import Issue, Record, Severity
from parsers.x12.claim_837_map import Child, LoopSpec, SegRule

Handler = Callable[[int, list[str]], None]
Closer = Callable[["Open"], None]

MAX_STRUCTURE_ISSUES = 40  # per transaction; a broken file needs no hundred messages
_SKIPPED = "; the segments after it are skipped until one fits the loop structure"
_NO_HANDLERS: dict[str, Handler] = {}


# What the fast path needs of a segment in a loop: position, maximum use, handler.
Entry = tuple[int, int, Handler | None]


class Frame:
    """What does not change between repeats of a loop at one place in the tree."""

    __slots__ = (
        "closer", "handlers", "name", "one_of", "opener", "path", "required", "spec", "table",
    )  # fmt: skip

    def __init__(
        self, spec: LoopSpec, path: int, handlers: Mapping[str, Handler], closer: Closer | None
    ) -> None:
        self.spec = spec
        self.path = path  # id of the chain of loops from the root to this one
        self.handlers = handlers
        self.opener = handlers.get(spec.trigger)
        self.closer = closer
        self.table: dict[str, Entry] = {
            sid: (rule.pos, rule.max_use, handlers.get(sid)) for sid, rule in spec.segments.items()
        }
        # A checked loop whose counts hold all of these (segment ids and child loop names)
        # and one of one_of is complete: no need to look closer when it closes.
        self.required: frozenset[str] | None = None
        if spec.checked:
            kids = (c.spec.name for c in spec.required_children)
            self.required = frozenset((*spec.required_segments, *kids))
        self.one_of = spec.one_of
        self.name = spec.name


class Open:
    """One open loop instance: how far it got and what it has seen."""

    __slots__ = ("counts", "frame", "index", "last", "table")

    def __init__(self, frame: Frame, index: int) -> None:
        self.frame = frame
        self.table = frame.table
        self.index = index  # segment index of the trigger
        self.last = 0  # position of the last segment or child loop seen
        self.counts: dict[str, int] = {}  # by segment id, and child loops by loop name

    @property
    def segments(self) -> dict[str, SegRule]:
        return self.frame.spec.segments

    @property
    def spec(self) -> LoopSpec:
        return self.frame.spec


# Where a segment lands: depth of the loop that takes it, and either the rule it is taken
# under or the child loop it opens (with that child's frame).
Place = tuple[int, SegRule | None, Child | None, Frame | None]


class Walker:
    """Feeds segments through the loop tree and reports structure errors into `out`."""

    def __init__(
        self,
        root: LoopSpec,
        handlers: Mapping[str, Mapping[str, Handler]],
        closers: Mapping[str, Closer],
        out: list[Record],
        claim_of: Callable[[], str | None],
        start_index: int,
    ) -> None:
        self._handlers = handlers
        self._closers = closers
        self._out = out
        self._claim_of = claim_of
        root_frame = Frame(root, 0, handlers.get(root.role, _NO_HANDLERS), closers.get(root.role))
        self.stack = [Open(root_frame, start_index)]
        self._rejected = -2  # index of the last segment that fit nowhere
        self._places: dict[tuple[object, ...], Place] = {}  # (path, last, sid[, code])
        self._frames: dict[tuple[int, str], Frame] = {}
        self._index = start_index
        self.reported = 0
        self.suppressed = 0

    def run(self, segments: Iterator[tuple[int, list[str]]], start: int) -> Iterator[Record]:
        """Place every segment, yielding what the builders put in `out` as soon as it is ready.

        The common case (the segment belongs to the innermost open loop) is inline: this
        loop runs for every segment of files with 100,000+ claims.
        """
        out, stack = self._out, self.stack
        index = start
        for index, seg in segments:
            top = stack[-1]
            sid = seg[0]
            entry = top.table.get(sid)
            if entry is not None and entry[0] >= top.last:
                pos, max_use, handler = entry
                if pos > top.last:  # first at this position: sid was not seen in this loop
                    top.counts[sid] = 1
                    top.last = pos
                else:
                    counts = top.counts
                    count = counts[sid] = counts.get(sid, 0) + 1
                    if count > max_use:
                        self._too_many(top, top.segments[sid], index, sid, count)
                if handler is not None:
                    handler(index, seg)
            else:
                self._index = index
                self._place(index, seg)
            if out:
                yield from out
                out.clear()
        self.finish(index + 1)
        yield from out
        out.clear()

    def finish(self, index: int) -> None:
        """Close every loop at the end of the transaction (index: where the body ended)."""
        self._close_above(-1)
        if self.suppressed:
            self._error(
                "structure.more",
                f"{self.suppressed} more structure problems in this transaction were not listed",
                index,
                None,
            )

    # ------------------------------------------------------------------ placing

    def _place(self, index: int, seg: list[str]) -> None:
        """Slow path: close loops until one takes the segment or opens a child for it.

        Where a segment lands depends only on the open loops (each ancestor sits at the
        position of its open child) and on the segment id and level code, so found
        places are remembered per loop path.
        """
        sid = seg[0]
        stack = self.stack
        top = stack[-1]
        path, last = top.frame.path, top.last
        key: tuple[object, ...]
        if sid == "NM1":  # NM101 entity code picks the party loop
            key = (path, last, sid, seg[1] if len(seg) > 1 else "")
        elif sid == "HL":  # HL03 level code picks the level
            key = (path, last, sid, seg[3] if len(seg) > 3 else "")
        else:
            key = (path, last, sid)
        found = self._places.get(key)
        if found is None:
            found = self._search(seg)
            if found is None:
                return
            self._places[key] = found
        depth, rule, child, frame = found
        if len(stack) - 1 > depth:
            self._close_above(depth)  # the loops the segment leaves
        parent = stack[depth]
        if child is None or frame is None:
            assert rule is not None  # a place either takes the segment or opens a child
            self._take(parent, rule, index, seg)
            return
        counts = parent.counts  # open the child loop
        name = frame.name
        count = counts[name] = counts.get(name, 0) + 1
        parent.last = child.pos
        if count > child.repeat:
            self._loop_repeat(parent, child, count, index)
        stack.append(Open(frame, index))
        if frame.opener is not None:
            frame.opener(index, seg)

    def _take(self, inst: Open, rule: SegRule, index: int, seg: list[str]) -> None:
        sid = seg[0]
        count = inst.counts[sid] = inst.counts.get(sid, 0) + 1
        inst.last = rule.pos
        if count > rule.max_use:
            self._too_many(inst, rule, index, sid, count)
        handler = inst.frame.handlers.get(sid)
        if handler is not None:
            handler(index, seg)

    def _search(self, seg: list[str]) -> Place | None:
        """Walk up the open loops for the one that takes seg; report it when none does."""
        sid = seg[0]
        stack = self.stack
        misplaced: Open | None = None
        for depth in range(len(stack) - 1, -1, -1):
            inst = stack[depth]
            rule = inst.segments.get(sid)
            if rule is not None:
                if rule.pos >= inst.last:
                    return depth, rule, None, None
                misplaced = misplaced or inst
            for child in inst.spec.by_trigger.get(sid, ()):
                if child.spec.codes and _code(seg, child.spec.code_at) not in child.spec.codes:
                    continue
                if child.pos < inst.last:
                    misplaced = misplaced or inst
                    continue
                return depth, None, child, self._frame(inst.frame, child.spec)
        self._reject(seg, misplaced)
        return None

    def _frame(self, parent: Frame, spec: LoopSpec) -> Frame:
        key = (parent.path, spec.name)
        frame = self._frames.get(key)
        if frame is None:
            handlers = self._handlers.get(spec.role, _NO_HANDLERS)
            frame = Frame(spec, len(self._frames) + 1, handlers, self._closers.get(spec.role))
            self._frames[key] = frame
        return frame

    def _close_above(self, depth: int) -> None:
        """Close the loops above depth, innermost first, each checked for missing parts."""
        stack = self.stack
        while len(stack) - 1 > depth:
            inst = stack.pop()
            frame = inst.frame
            need = frame.required
            if need is not None:
                counts = inst.counts
                one_of = frame.one_of
                if not need <= counts.keys() or (
                    one_of and one_of[0] not in counts and one_of[1] not in counts
                ):
                    self._check_complete(inst)
            if frame.closer is not None:
                frame.closer(inst)

    # ------------------------------------------------------------------ checks

    def _too_many(self, inst: Open, rule: SegRule, index: int, sid: str, count: int) -> None:
        self._error(
            "structure.repeat",
            f"{sid} appears {count} times in {inst.spec.label()}; at most {rule.max_use} allowed",
            index,
            sid,
        )

    def _loop_repeat(self, parent: Open, child: Child, count: int, index: int) -> None:
        self._error(
            "structure.loop-repeat",
            f"{child.spec.label()} appears {count} times in {parent.spec.label()}; "
            f"at most {child.repeat} allowed",
            index,
            child.spec.trigger,
        )

    def _check_complete(self, inst: Open) -> None:
        spec = inst.frame.spec
        counts = kids = inst.counts  # child loops are counted by name beside segment ids
        for sid in spec.required_segments:
            if sid not in counts:
                self._error(
                    "structure.missing-segment",
                    f"{_where(inst)} has no {sid} segment, which it requires",
                    inst.index,
                    spec.trigger,
                )
        for child in spec.required_children:
            if child.spec.name not in kids:
                self._error(
                    "structure.missing-loop",
                    f"{_where(inst)} lacks its required {_loop_words(child.spec)}",
                    inst.index,
                    spec.trigger,
                    Severity.WARNING if child.soft else Severity.ERROR,
                )
        one_of = spec.one_of
        if one_of and one_of[0] not in kids and one_of[1] not in kids:
            self._error(
                "structure.missing-loop",
                f"{_where(inst)} has neither a claim (loop 2300) nor a patient level "
                "(loop 2000C) under it",
                inst.index,
                spec.trigger,
            )

    def _reject(self, seg: list[str], misplaced: Open | None) -> None:
        sid, index = seg[0], self._index
        count = 0
        if misplaced is not None:
            count = misplaced.counts.get(sid, 0)
            misplaced.counts[sid] = count + 1  # seen, though misplaced: not also "missing"
        skipping = index == self._rejected + 1
        self._rejected = index
        if skipping:
            return  # the rest of a run of segments that fit nowhere
        if misplaced is None:
            cause = self._unexpected_cause(seg)
            self._error("structure.unexpected", cause + _SKIPPED, index, sid)
            return
        label = misplaced.spec.label()
        rule = misplaced.segments.get(sid)
        if rule is not None and count >= rule.max_use:
            message = f"another {sid} in {label}, which allows {rule.max_use}"
            self._error("structure.repeat", message, index, sid)
        else:
            message = (
                f"{sid} comes after {_last(misplaced)} in {label}, "
                "but the implementation guide puts it before"
            )
            self._error("structure.order", message, index, sid)

    def _unexpected_cause(self, seg: list[str]) -> str:
        sid = seg[0]
        expected: list[str] = []
        for inst in reversed(self.stack):
            for child in inst.spec.by_trigger.get(sid, ()):
                if child.pos >= inst.last:
                    expected.extend(c for c in sorted(child.spec.codes) if c not in expected)
        top = self.stack[-1]
        if expected:
            element = "HL03" if sid == "HL" else f"{sid}01"
            code = _code(seg, 3 if sid == "HL" else 1)
            return (
                f"{element} {code!r} is not valid here (in {top.spec.label()}); "
                f"expected one of {', '.join(expected)}"
            )
        if sid in ("SV1", "SV2", "SV5"):
            return f"{sid} is not expected in {top.spec.label()}: a service line must start with LX"
        return f"{sid} is not expected in {top.spec.label()} after {_last(top)}"

    def _error(
        self,
        code: str,
        message: str,
        index: int | None,
        sid: str | None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        if self.reported >= MAX_STRUCTURE_ISSUES:
            self.suppressed += 1
            return
        self.reported += 1
        self._out.append(Issue(severity, code, message, index, sid, None, self._claim_of()))


def _where(inst: Open) -> str:
    return f"{inst.spec.label()} starting at segment {inst.index}"


def _loop_words(spec: LoopSpec) -> str:
    codes = f"*{'/'.join(sorted(spec.codes))}" if spec.codes else ""
    return f"{spec.label()}, which starts with {spec.trigger}{codes}"


def _code(seg: list[str], n: int) -> str:
    return seg[n] if n < len(seg) else ""


def _last(inst: Open) -> str:
    """What the loop read last, from its position: 'REF', 'PER or DTP', 'loop 2010BA'."""
    spec, last = inst.spec, inst.last
    if last == 0:
        return spec.trigger
    names = [sid for sid, rule in spec.segments.items() if rule.pos == last]
    names += [f"loop {c.spec.name}" for c in spec.children if c.pos == last]
    return " or ".join(dict.fromkeys(names)) or spec.trigger
