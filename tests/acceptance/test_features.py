"""The acceptance suite: every scenario of features/ through the selected driver."""

from pytest_bdd import scenarios

scenarios(".")
