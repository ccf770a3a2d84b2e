"""Tests of the plugin machinery and of the example third-party plugin distributions."""
