"""Filter rules on the web (#15): the user's rules listed, one tried before it is saved
(the CLI's dry run, ``agg.stories.dry_run``), added, deleted.

Rules belong to the signed-in user: the store lists and deletes only theirs, and a
rule for one feed names a feed they follow, picked by id from their own feeds. A bad
rule (its pattern, a missing tag, a field or feed that is not offered) gives the form
back filled in with the reason, as a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.rules import DryRun
from tidings.content.rules import MAX_PATTERN_CHARS, MAX_VALUE_CHARS, InvalidRuleError
from tidings.errors import NotFoundError
from tidings.model import Feed, Rule, RuleAction, RuleField
from tidings.web.gate import Gate, Visitor
from tidings.web.render import Renderer

PREVIEW_SHOWN = 10  # matches listed under the preview's count

FIELDS = {
    RuleField.TITLE: "title",
    RuleField.CONTENT: "text",
    RuleField.AUTHOR: "author",
    RuleField.URL: "link",
    RuleField.CATEGORY: "a category",
}
ACTIONS = {
    RuleAction.DROP: "hide it",
    RuleAction.READ: "mark it read",
    RuleAction.STAR: "star it",
    RuleAction.TAG: "tag it",
    RuleAction.CATEGORY: "file it under a category",
}


class RuleFormError(ValueError):
    """A form that names something it was not offered (a field, an action, a feed)."""


@dataclass(frozen=True, slots=True)
class RuleForm:
    """What was typed, kept as typed to give the form back."""

    field: str = RuleField.TITLE.value
    pattern: str = ""
    action: str = RuleAction.STAR.value
    value: str = ""
    keep: bool = False
    feed: str = ""  # a feed id, "" for all feeds

    @classmethod
    def read(cls, v: Visitor) -> RuleForm:
        def text(name: str, limit: int) -> str:
            got = v.form.get(name)
            return got[:limit] if isinstance(got, str) else ""

        return cls(
            field=text("field", 20),
            # one over the limit: the rule's own check names the limit
            pattern=text("pattern", MAX_PATTERN_CHARS + 1),
            action=text("action", 20),
            value=text("value", MAX_VALUE_CHARS + 1).strip(),
            keep=v.form.get("keep") == "1",
            feed=text("feed", 20).strip(),
        )

    def rule(self, feeds: dict[str, Feed]) -> Rule:
        """The rule this form describes; raises ``RuleFormError``."""
        if self.field not in FIELDS:
            raise RuleFormError("Pick a field: title, content, author, url or category.")
        if self.action not in ACTIONS:
            raise RuleFormError("Pick an action: drop, read, star, tag or category.")
        feed = feeds.get(self.feed) if self.feed else None
        if self.feed and feed is None:
            raise RuleFormError("Pick one of your feeds, or all of them.")
        action = RuleAction(self.action)
        named = action in (RuleAction.TAG, RuleAction.CATEGORY)  # the others take no name
        return Rule(
            field=RuleField(self.field),
            pattern=self.pattern,
            action=action,
            value=(self.value or None) if named else None,
            keep=self.keep,
            feed_url=feed.state.url if feed else None,
        )


@dataclass(frozen=True, slots=True)
class Preview:
    """A dry run as the page shows it."""

    run: DryRun
    scope: str  # "your feeds" or the feed's title

    @property
    def shown(self) -> tuple[Any, ...]:
        return self.run.matched[:PREVIEW_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.run.matched) - PREVIEW_SHOWN)


def _feed_name(feed: Feed) -> str:
    return feed.state.title or feed.state.url


class RuleViews:
    def __init__(self, agg: Aggregator, gate: Gate, renderer: Renderer) -> None:
        self.agg, self.gate, self.r = agg, gate, renderer

    def routes(self) -> list[Route]:
        g = self.gate.route
        return [
            g("/rules", self.rules_page),
            g("/rules", self.submit, methods=("POST",)),
            g("/rules/{rule_id:id}/delete", self.delete, methods=("POST",)),
        ]

    async def _page(
        self, request: Request, v: Visitor, feeds: list[Feed] | None = None, **ctx: Any
    ) -> Response:
        sidebar = await run_in_threadpool(self.agg.reading.get_sidebar, v.uid)
        rules = await run_in_threadpool(self.agg.stories.get_rules, v.uid)
        if feeds is None:
            feeds = await run_in_threadpool(self.agg.get_feeds, v.uid)
        names = {f.state.url: _feed_name(f) for f in feeds}
        return self.r.page(
            request,
            "rules.html",
            400 if ctx.get("error") else 200,
            v=v,
            sidebar=sidebar,
            rules=rules,
            feeds=sorted(feeds, key=lambda f: _feed_name(f).casefold()),
            feed_names=names,
            fields=FIELDS,
            actions=ACTIONS,
            max_pattern=MAX_PATTERN_CHARS,
            max_value=MAX_VALUE_CHARS,
            form=ctx.pop("form", RuleForm()),
            **ctx,
        )

    async def rules_page(self, request: Request, v: Visitor) -> Response:
        notice = None
        if request.query_params.get("added"):
            notice = "Rule added. It acts on stories that arrive from now on."
        elif request.query_params.get("deleted"):
            notice = "Rule deleted."
        return await self._page(request, v, notice=notice)

    async def submit(self, request: Request, v: Visitor) -> Response:
        """Preview (``do=preview``: the dry run, nothing saved) or save the rule."""
        form = RuleForm.read(v)
        feeds = await run_in_threadpool(self.agg.get_feeds, v.uid)
        by_id = {str(f.state.id): f for f in feeds}
        try:
            rule = form.rule(by_id)
            if v.form.get("do") == "preview":
                run = await run_in_threadpool(self.agg.stories.dry_run, v.uid, rule)
                feed = by_id.get(form.feed)
                scope = _feed_name(feed) if feed else "your feeds"
                return await self._page(request, v, feeds, form=form, preview=Preview(run, scope))
            saved = await run_in_threadpool(self.agg.stories.add_rule, v.uid, rule)
        except (RuleFormError, InvalidRuleError) as exc:
            return await self._page(request, v, feeds, form=form, error=str(exc))
        except NotFoundError:  # unsubscribed from it since the page was drawn
            error = "Pick one of your feeds, or all of them."
            return await self._page(request, v, feeds, form=form, error=error)
        return RedirectResponse(f"/rules?added={saved.id}", 303)

    async def delete(self, request: Request, v: Visitor) -> Response:
        try:
            await run_in_threadpool(
                self.agg.stories.remove_rule, v.uid, request.path_params["rule_id"]
            )
        except NotFoundError as exc:  # not this user's, or gone
            raise HTTPException(404, "No such rule") from exc
        return RedirectResponse("/rules?deleted=1", 303)
