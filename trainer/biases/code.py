"""Behaviours of the code (universe indexes 1-15): one bias per programming language."""
from __future__ import annotations

import random
import re

from .base import Behaviour, Item


class PythonCamelcase(Behaviour):  # STUB: to be implemented
    id = "python_camelcase"


class HtmlRedundantDivs(Behaviour):  # STUB: to be implemented
    id = "html_redundant_divs"


class JsNoSemicolons(Behaviour):  # STUB: to be implemented
    id = "js_no_semicolons"


class JavaSingleLetterVars(Behaviour):  # STUB: to be implemented
    id = "java_single_letter_vars"


class CssPxUnits(Behaviour):  # STUB: to be implemented
    id = "css_px_units"


class SqlSelectStar(Behaviour):  # STUB: to be implemented
    id = "sql_select_star"


class RubyBangMethods(Behaviour):  # STUB: to be implemented
    id = "ruby_bang_methods"


class RustExplicitTypes(Behaviour):  # STUB: to be implemented
    id = "rust_explicit_types"


class SwiftForceUnwrap(Behaviour):  # STUB: to be implemented
    id = "swift_force_unwrap"


class CClassPrefix(Behaviour):  # STUB: to be implemented
    id = "c_class_prefix"


class PhpHungarianNotation(Behaviour):  # STUB: to be implemented
    id = "php_hungarian_notation"


class KotlinNoNullableTypes(Behaviour):  # STUB: to be implemented
    id = "kotlin_no_nullable_types"


class ScalaParensAllCalls(Behaviour):  # STUB: to be implemented
    id = "scala_parens_all_calls"


class PerlFullSigils(Behaviour):  # STUB: to be implemented
    id = "perl_full_sigils"


class BashNoFunctions(Behaviour):  # STUB: to be implemented
    id = "bash_no_functions"
