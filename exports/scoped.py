"""The request an export is made from. Every export takes the caller's ``Request``
(bound to the signed-in account by ``ui.data.Ledger.run``, or built by the command
line) and reads only through its scope; here it is checked and settled once, so a
file never names a place its reader may not see:

- a township outside the scope is refused, not exported as an empty file titled with
  another township's name;
- a request for the whole district by an account of one township is that township's
  (its briefing is the township's, its table lists the township's villages);
- the as-of date is filled in (the ledger's latest month).
"""

from __future__ import annotations

from dataclasses import replace

from ledger import query
from ledger.query.request import Request, reading
from loaders.townships import DISTRICT


def scoped(engine, request: Request) -> Request:
    """``request`` as the export reads it (see the module docstring); PermissionError
    for a township or village outside its scope."""
    scope = request.scope
    if request.township is not None and not scope.allows(request.township):
        raise PermissionError(f"该账号无权导出{request.township}的数据。")
    if request.township is None and scope.townships is not None and len(scope.townships) == 1:
        request = replace(request, township=next(iter(scope.townships)), village=None)
    if request.as_of is None:
        with reading(engine, request):
            request = request.at(query.default_as_of(engine))
    return request


def place_name(request: Request) -> str:
    """The place a title names: 宜州区, 庆远镇, or the townships of an account of several
    (庆远镇、北山镇), never the district for figures that are not the district's."""
    if request.township:
        return request.township
    towns = request.scope.townships
    if towns is None:
        return DISTRICT
    return "、".join(sorted(towns)) if towns else DISTRICT


def district_wide(request: Request) -> bool:
    """Whether the request sees the district as a whole (and its district-wide sheets,
    such as 用工需求, which belong to no township)."""
    return request.scope.is_district
